/** Prometheus metrics: a real scrape over HTTP of the metrics listener, never the public port. */
import { rmSync } from "node:fs";
import { CODE_TYPES, PASSWORD_CHECK_OUTCOMES } from "@otp/core";
import { EMAIL_OUTCOMES } from "@otp/delivery";
import { EMAIL_KINDS } from "@otp/email";
import { RATE_LIMIT_GROUPS } from "@otp/server/internal";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.js";
import { BACKENDS, fakeWebDist, startTestApp, type TestApp } from "./harness.js";

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
      expect(answer.status, path).toBe(404);
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

describe("metrics: bounded route labels, counters at 0 from the start", () => {
  let t: TestApp;
  let webDist: string;
  let metricsUrl: string;
  beforeAll(async () => {
    webDist = fakeWebDist();
    t = await startTestApp("pglite", {
      METRICS_PORT: "0",
      WEB_DIST: webDist,
      RATE_LIMIT_SEND_PER_HOUR: "1000",
      RATE_LIMIT_VERIFY_PER_MINUTE: "2",
    });
    metricsUrl = t.app.metricsUrl as string;
  });
  afterAll(async () => {
    await t?.close();
    rmSync(webDist, { recursive: true, force: true });
  });
  const scrape = async () => parseSamples(await (await fetch(`${metricsUrl}/metrics`)).text());

  it("every known series of every counter is there at 0 before anything happened", async () => {
    const samples = await scrape();
    for (const kind of EMAIL_KINDS) {
      for (const outcome of EMAIL_OUTCOMES) {
        expect(samples.get(`otp_emails_total{kind="${kind}",outcome="${outcome}"}`)).toBe(0);
      }
    }
    for (const outcome of PASSWORD_CHECK_OUTCOMES) {
      expect(samples.get(`otp_password_checks_total{outcome="${outcome}"}`)).toBe(0);
    }
    for (const group of RATE_LIMIT_GROUPS) {
      expect(samples.get(`otp_rate_limited_total{group="${group}"}`)).toBe(0);
    }
    for (const codeType of CODE_TYPES) {
      expect(samples.get(`otp_codes_issued_total{code_type="${codeType}"}`)).toBe(0);
    }
  });

  it("made-up asset and page paths add no route label values; files count as one route", async () => {
    const html = { accept: "text/html,application/xhtml+xml,*/*;q=0.8" };
    const visit = async (round: string) => {
      expect((await fetch(`${t.url}/`, { headers: html })).status).toBe(200);
      expect((await fetch(`${t.url}/assets/index-mf8olmnx.js`)).status).toBe(200);
      expect((await fetch(`${t.url}/assets/de-wYvGWxcE.js`)).status).toBe(200);
      expect((await fetch(`${t.url}/sign-in`, { headers: html })).status).toBe(200);
      for (let i = 0; i < 10; i++) {
        const made = `${round}${i}${Math.random().toString(36).slice(2, 8)}`;
        expect((await fetch(`${t.url}/assets/index-${made}.js`)).status).toBe(404);
        expect((await fetch(`${t.url}/favicon-${made}.ico`)).status).toBe(404);
        const page = await fetch(`${t.url}/made-up/${made}`, { headers: html });
        expect(page.status).toBe(200); // the app draws its own "Page not found"
        expect((await fetch(`${t.url}/api/v1/${made}/`)).status).toBe(404);
        expect((await fetch(`${t.url}/trpc/auth.${made}`)).status).toBe(404);
      }
    };
    await visit("a");
    const first = routeLabels(await scrape());
    expect(first).toContain("static");
    expect(first).toContain("unmatched");
    expect(
      [...first].filter((route) => route.includes("assets") || route.includes("made-up")),
    ).toEqual([]);
    await visit("b");
    expect(routeLabels(await scrape())).toEqual(first);
  });

  it("a tRPC request is counted by procedure, each call of a batch once", async () => {
    const count = (samples: Map<string, number>, route: string) =>
      sum(samples, "http_request_duration_seconds_count", `route="${route}"`);
    const before = await scrape();
    const batch = await fetch(`${t.url}/trpc/auth.rules,auth.me?batch=1&input={}`);
    expect(batch.status).toBe(207); // auth.me without a session: one call failed, one did not
    await t.trpc.auth.rules.query();
    const after = await scrape();
    expect(count(after, "auth.rules") - count(before, "auth.rules")).toBe(2);
    expect(count(after, "auth.me") - count(before, "auth.me")).toBe(1);
    expect(routeLabels(after)).not.toContain("/trpc/:path");
  });

  it("counts per-IP refusals by group and password sign-ins by outcome", async () => {
    const before = await scrape();
    const email = "metrics-password@example.com";
    // The guess budget is 2 a minute: the third sign-in is refused before it is tried.
    for (let i = 0; i < 3; i++) {
      await t.post("/api/v1/auth/sign-in/", { email, password: "not the password at all" });
    }
    const after = await scrape();
    const moved = (series: string) => (after.get(series) ?? 0) - (before.get(series) ?? 0);
    expect(moved('otp_rate_limited_total{group="guess"}')).toBe(1);
    expect(moved('otp_rate_limited_total{group="send"}')).toBe(0);
    expect(moved('otp_password_checks_total{outcome="wrong"}')).toBe(2);
    expect(moved('otp_password_checks_total{outcome="success"}')).toBe(0);
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
