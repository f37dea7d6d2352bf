/**
 * A database that turns read-only under the API (what a switchover does to the old
 * primary): writes answer 503 SERVICE_UNAVAILABLE with Retry-After on both surfaces, never
 * 500; the pool drops its connections, and once the server takes writes again the API
 * answers 2xx without a restart; the metrics count the 503s and the recycles. The
 * read-only server is played by the test's database with default_transaction_read_only on
 * and its connections terminated (new ones are read-only for life, like those to a standby).
 */
import { createDatabase, type DatabaseHandle } from "@otp/core/db";
import { sql } from "@otp/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { server, startTestApp, type TestApp } from "./harness.js";

describe.skipIf(!server.available)("a database that turns read-only (PostgreSQL)", () => {
  let t: TestApp;
  let admin: DatabaseHandle;
  let name: string;

  beforeAll(async () => {
    t = await startTestApp("postgres", { METRICS_PORT: "0", RATE_LIMIT_ENABLED: "false" });
    const url = new URL(t.database.url ?? "");
    name = url.pathname.slice(1);
    url.pathname = "/postgres";
    // On the server's own database: ALTER DATABASE reaches only sessions opened after it.
    admin = await createDatabase({ url: url.toString(), poolSize: 2 });
  });
  afterAll(async () => {
    await admin?.db
      .execute(sql.raw(`ALTER DATABASE "${name}" RESET default_transaction_read_only`))
      .catch(() => {});
    await admin?.close();
    await t?.close();
  });

  const scrape = async (series: string) => {
    const text = await (await fetch(`${t.app.metricsUrl}/metrics`)).text();
    const line = text.split("\n").find((l) => l.startsWith(`${series} `));
    return line === undefined ? 0 : Number(line.slice(series.length + 1));
  };

  it("answers 503 with Retry-After while it refuses writes, then 2xx again without a restart", async () => {
    expect(
      (
        await t.post("/api/v1/auth/register/", {
          email: "ro@example.com",
          password: "a long enough password 1",
        })
      ).status,
    ).toBe(201);
    await admin.db.execute(
      sql.raw(`ALTER DATABASE "${name}" SET default_transaction_read_only = on`),
    );
    await admin.db.execute(
      sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ${name}`,
    );

    const rest = await t.post("/api/v1/auth/resend-otp/", { email: "ro@example.com" });
    expect(rest.status).toBe(503);
    expect(rest.headers.get("retry-after")).toBe("1");
    expect(((await rest.json()) as { error: { code: string } }).error.code).toBe(
      "SERVICE_UNAVAILABLE",
    );
    const trpc = await t.post("/trpc/auth.resendCode", { email: "ro@example.com" });
    expect(trpc.status).toBe(503);
    expect(trpc.headers.get("retry-after")).toBe("1");

    await admin.db.execute(sql.raw(`ALTER DATABASE "${name}" RESET default_transaction_read_only`));
    const statuses: number[] = [];
    const deadline = Date.now() + 10_000;
    for (;;) {
      const answer = await t.post("/api/v1/auth/resend-otp/", { email: "ro@example.com" });
      statuses.push(answer.status);
      if (answer.status === 200 || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(statuses.at(-1)).toBe(200);
    expect(statuses.filter((status) => status !== 200 && status !== 503)).toEqual([]);
    const answered503 = 2 + statuses.filter((status) => status === 503).length;
    expect(await scrape("otp_database_unavailable_total")).toBe(answered503);
    expect(await scrape('otp_db_pool_recycles_total{pool="api"}')).toBeGreaterThanOrEqual(1);
  });
});
