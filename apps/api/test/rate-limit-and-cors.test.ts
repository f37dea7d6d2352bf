import { createConnection } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "./harness.js";

const REDIS_URL = "redis://127.0.0.1:6379";

async function redisReachable(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port: 6379, timeout: 1000 });
    socket.once("connect", () => {
      socket.end();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
  });
}
const redis = await redisReachable();
if (!redis) console.warn(`[api] shared rate-limit test skipped: no Redis at ${REDIS_URL}`);

describe("per-IP rate limits", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp("pglite", {
      RATE_LIMIT_SEND_PER_HOUR: "3",
      RATE_LIMIT_VERIFY_PER_MINUTE: "2",
      CORS_ORIGINS: "https://app.example.com",
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it("caps sending requests per IP across REST and tRPC, with a clear 429", async () => {
    const statuses: number[] = [];
    statuses.push((await t.post("/api/v1/auth/resend-otp/", { email: "a@example.com" })).status);
    statuses.push((await t.post("/trpc/auth.resendCode", { email: "b@example.com" })).status);
    statuses.push((await t.post("/api/v1/auth/resend-otp/", { email: "c@example.com" })).status);
    const limited = await t.post("/api/v1/auth/resend-otp/", { email: "d@example.com" });
    expect(statuses).toEqual([200, 200, 200]);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await limited.json()).toMatchObject({
      error: { code: "RATE_LIMITED", message: expect.any(String) },
    });
    const trpcLimited = await t.post("/trpc/auth.register", {
      email: "e@example.com",
      password: "a long enough passphrase",
    });
    expect(trpcLimited.status).toBe(429);
    expect(await trpcLimited.json()).toMatchObject({ error: { data: { code: "RATE_LIMITED" } } });
  });

  it("counts verification separately, and leaves other procedures alone", async () => {
    for (let i = 0; i < 2; i++) {
      expect(
        (await t.post("/api/v1/auth/verify-email/", { email: "a@example.com", otp: "12345678" }))
          .status,
      ).toBe(400);
    }
    expect(
      (await t.post("/api/v1/auth/verify-email/", { email: "a@example.com", otp: "12345678" }))
        .status,
    ).toBe(429);
    expect((await fetch(`${t.url}/trpc/auth.rules`)).status).toBe(200);
  });

  it("allows only the configured CORS origins", async () => {
    const allowed = await fetch(`${t.url}/trpc/auth.rules`, {
      headers: { origin: "https://app.example.com" },
    });
    expect(allowed.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    const other = await fetch(`${t.url}/trpc/auth.rules`, {
      headers: { origin: "https://evil.example.com" },
    });
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe.skipIf(!redis)("rate limits shared through Redis", () => {
  it("two API instances share one per-IP budget", async () => {
    // A key space of its own per run: the limiter keys by IP, and every run comes from loopback.
    const env = {
      RATE_LIMIT_SEND_PER_HOUR: "2",
      REDIS_URL,
      RATE_LIMIT_REDIS_PREFIX: `otp-test-${Date.now()}:`,
    };
    const first = await startTestApp("pglite", env);
    const second = await startTestApp("pglite", env);
    try {
      const statuses = [
        (await first.post("/api/v1/auth/resend-otp/", { email: "x@example.com" })).status,
        (await second.post("/api/v1/auth/resend-otp/", { email: "y@example.com" })).status,
        (await first.post("/api/v1/auth/resend-otp/", { email: "z@example.com" })).status,
      ];
      expect(statuses.slice(0, 2).every((s) => s === 200)).toBe(true);
      expect(statuses[2]).toBe(429);
    } finally {
      await first.close();
      await second.close();
    }
  });
});
