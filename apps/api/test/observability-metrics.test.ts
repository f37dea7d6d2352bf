/** Prometheus metrics: a real scrape over HTTP of the metrics listener, never the public port. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.js";
import { BACKENDS, startTestApp, type TestApp } from "./harness.js";

/** The samples of a Prometheus text exposition: series (name{labels}) to value. */
function parseSamples(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const at = line.lastIndexOf(" ");
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}

function sum(samples: Map<string, number>, name: string, ...labels: string[]): number {
  let total = 0;
  for (const [series, value] of samples) {
    if (!series.startsWith(`${name}{`) && series !== name) continue;
    if (labels.every((label) => series.includes(label))) total += value;
  }
  return total;
}

function routeLabels(samples: Map<string, number>): Set<string> {
  const routes = new Set<string>();
  for (const series of samples.keys()) {
    if (!series.startsWith("http_request_duration_seconds_count{")) continue;
    const route = /route="([^"]*)"/.exec(series)?.[1];
    if (route !== undefined) routes.add(route);
  }
  return routes;
}

describe.each(BACKENDS)("metrics (%s)", (backend) => {
  let t: TestApp;
  let metricsUrl: string;
  beforeAll(async () => {
    t = await startTestApp(backend, { METRICS_PORT: "0", RATE_LIMIT_ENABLED: "false" });
    if (t.app.metricsUrl === undefined) throw new Error("no metrics listener");
    metricsUrl = t.app.metricsUrl;
  });
  afterAll(async () => {
    await t?.close();
  });

  async function scrape(): Promise<Map<string, number>> {
    const answer = await fetch(`${metricsUrl}/metrics`);
    expect(answer.status).toBe(200);
    expect(answer.headers.get("content-type")).toContain("text/plain");
    return parseSamples(await answer.text());
  }

  it("counts a registration, a wrong code and a right code, and the email's delivery", async () => {
    const before = await scrape();
    expect(sum(before, "otp_codes_issued_total", 'code_type="VERIFICATION"')).toBe(0);
    expect(before.has("process_resident_memory_bytes")).toBe(true); // Node's default metrics
    const email = `metrics-${backend}@example.com`;
    const registered = await t.post("/api/v1/auth/register/", {
      email,
      password: "a long enough password",
    });
    expect(registered.status).toBe(201);
    const code = await t.codeFor(email);
    const wrong = code === "00000000" ? "11111111" : "00000000";
    expect((await t.post("/api/v1/auth/verify-email/", { email, otp: wrong })).status).toBe(400);
    expect((await t.post("/api/v1/auth/verify-email/", { email, otp: code })).status).toBe(200);

    const after = await scrape();
    const moved = (name: string, ...labels: string[]) =>
      sum(after, name, ...labels) - sum(before, name, ...labels);
    expect(moved("otp_codes_issued_total", 'code_type="VERIFICATION"')).toBe(1);
    expect(moved("otp_code_checks_total", 'code_type="VERIFICATION"', 'outcome="invalid"')).toBe(1);
    expect(moved("otp_code_checks_total", 'code_type="VERIFICATION"', 'outcome="success"')).toBe(1);
    expect(moved("otp_emails_total", 'outcome="sent"')).toBeGreaterThanOrEqual(1);
    expect(
      moved(
        "http_request_duration_seconds_count",
        'route="/api/v1/auth/verify-email/"',
        'method="POST"',
      ),
    ).toBe(2);
    expect(after.get("otp_outbox_pending")).toBe(0);
    expect(after.get("otp_outbox_oldest_pending_age_seconds")).toBe(0);
    if (backend === "postgres") {
      expect(after.get('otp_db_pool_size{pool="api"}')).toBeGreaterThan(0);
      expect(after.has('otp_db_pool_connections_in_use{pool="api"}')).toBe(true);
      expect(after.get('otp_db_pool_waiting{pool="api"}')).toBe(0);
    }
  });

  it("a blocked check is counted as blocked", async () => {
    const email = `blocked-${backend}@example.com`;
    await t.post("/api/v1/auth/register/", { email, password: "a long enough password" });
    const code = await t.codeFor(email);
    const wrong = code === "00000000" ? "11111111" : "00000000";
    const before = await scrape();
    for (let i = 0; i < 6; i++) await t.post("/api/v1/auth/verify-email/", { email, otp: wrong });
    const after = await scrape();
    const moved = (outcome: string) =>
      sum(after, "otp_code_checks_total", 'code_type="VERIFICATION"', `outcome="${outcome}"`) -
      sum(before, "otp_code_checks_total", 'code_type="VERIFICATION"', `outcome="${outcome}"`);
    expect(moved("invalid")).toBe(5);
    expect(moved("blocked")).toBe(1);
  });

  it("the public port never answers the metrics", async () => {
    for (const path of ["/metrics", "/metrics/", "/api/metrics", "/trpc/metrics"]) {
      const answer = await fetch(`${t.url}${path}`);
      const text = await answer.text();
      // Where the web app is built, a page path gets its index.html (200, HTML); never the exposition.
      const isWebPage = (answer.headers.get("content-type") ?? "").startsWith("text/html");
      if (!isWebPage) expect(answer.status, path).not.toBe(200);
      expect(answer.headers.get("content-type") ?? "", path).not.toMatch(/^text\/plain/);
      expect(text).not.toContain("otp_codes_issued_total");
      expect(text).not.toContain("process_resident_memory_bytes");
    }
    expect((await fetch(`${metricsUrl}/elsewhere`)).status).toBe(404);
  });

  it("30 requests to unknown paths add at most one route label value", async () => {
    const before = routeLabels(await scrape());
    for (let i = 0; i < 30; i++) {
      await fetch(`${t.url}/api/v1/unknown-${i}/${Math.random().toString(36).slice(2)}`);
    }
    const after = routeLabels(await scrape());
    const added = [...after].filter((route) => !before.has(route));
    expect(added.length).toBeLessThanOrEqual(1);
    expect(added.every((route) => !route.includes("unknown-"))).toBe(true);
  });
});

describe("metrics off", () => {
  it("no listener without METRICS_PORT, and METRICS_PORT may not be the public port", async () => {
    const t = await startTestApp("pglite");
    try {
      expect(t.app.metricsUrl).toBeUndefined();
    } finally {
      await t.close();
    }
    expect(() =>
      loadConfig({
        APP_SECRET: "x".repeat(40),
        PORT: "4999",
        METRICS_PORT: "4999",
        DATA_DIR: "/tmp",
      }),
    ).toThrow(/METRICS_PORT: must differ from PORT/);
  });
});
