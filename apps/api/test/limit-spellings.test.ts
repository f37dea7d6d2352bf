/**
 * The per-IP limits follow the operation the router matched, not the URL's
 * text: every spelling that reaches an operation spends the same budget, on
 * REST and tRPC, for both groups, and each call of a tRPC batch spends its own.
 */
import { request } from "node:http";
import { restPath, trpcPath } from "@otp/server/internal";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, startTestApp, type TestApp } from "./harness.js";

interface Answer {
  status: number;
  body: unknown;
}

/** A POST with the path sent byte for byte (fetch would normalise it), from a chosen client IP. */
function rawPost(base: string, path: string, body: unknown, ip: string): Promise<Answer> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const sent = request(
      {
        host: url.hostname,
        port: url.port,
        path,
        method: "POST",
        headers: { "content-type": "application/json", "x-forwarded-for": ip },
      },
      (response) => {
        let text = "";
        response.on("data", (chunk) => {
          text += chunk;
        });
        response.on("end", () =>
          resolve({
            status: response.statusCode ?? 0,
            body: text === "" ? null : JSON.parse(text),
          }),
        );
      },
    );
    sent.on("error", reject);
    sent.end(JSON.stringify(body));
  });
}

let next = 1;
const freshIp = () => `10.0.${Math.floor(next / 250)}.${(next++ % 250) + 1}`;
/** A fresh address per request, so the per-address send cap (also a 429) never interferes. */
const EMAIL = () => `spelling-${next++}@example.com`;
const REST_VERIFY = restPath("auth.verifyEmail");
const REST_RESEND = restPath("auth.resendCode");
const TRPC_VERIFY = trpcPath("auth.verifyEmail");
const TRPC_RESEND = trpcPath("auth.resendCode");

/** Spellings the router accepts for each operation, and the body each surface takes. */
const GROUPS = [
  {
    group: "guess",
    rest: { canonical: REST_VERIFY, body: () => ({ email: EMAIL(), otp: "12345678" }) },
    restSpellings: [
      "/api/v1/auth/verify%2Demail/",
      "/api/v1/auth/%76erify-email/",
      "/api/v1/auth/verify-email",
      "/api/v1/auth/verify-email/?utm=1",
      "/api/v1/auth/verify-email?utm=1",
      "/api/v1/%61uth/verify-email/",
    ],
    trpc: { body: () => ({ email: EMAIL(), code: "12345678" }) },
    trpcSpellings: [
      TRPC_VERIFY,
      "/trpc/auth.verifyEmail/",
      "/trpc/auth%2EverifyEmail",
      "/trpc/auth.%76erifyEmail",
      "/trpc/auth.verifyEmail?x=1",
    ],
  },
  {
    group: "send",
    rest: { canonical: REST_RESEND, body: () => ({ email: EMAIL() }) },
    restSpellings: [
      "/api/v1/auth/resend%2Dotp/",
      "/api/v1/auth/%72esend-otp/",
      "/api/v1/auth/resend-otp",
      "/api/v1/auth/resend-otp/?a=b",
    ],
    trpc: { body: () => ({ email: EMAIL() }) },
    trpcSpellings: [
      TRPC_RESEND,
      "/trpc/auth.resendCode/",
      "/trpc/auth%2EresendCode",
      "/trpc/%61uth.resendCode",
      "/trpc/auth.resendCode?batch=0",
    ],
  },
] as const;

/** Spellings the router refuses (404): they reach no operation, so they cannot dodge a budget. */
const REFUSED = [
  "/api/v1//auth/verify-email/",
  "//api/v1/auth/verify-email/",
  "/api/v1/auth/./verify-email/",
  "/api/v1/auth/x/../verify-email/",
  "/api/v1/auth/verify-email//",
  "/api/v1/auth%2Fverify-email/",
  "/trpc//auth.verifyEmail",
  "/trpc/./auth.verifyEmail",
  "/trpc/x/../auth.verifyEmail",
  "/trpc/auth/verifyEmail",
  "/trpc/auth%2FverifyEmail",
];

function expectRestLimited(answer: Answer) {
  expect(answer.status).toBe(429);
  expect(answer.body).toMatchObject({ error: { code: "RATE_LIMITED" } });
}

function expectTrpcLimited(answer: Answer) {
  expect(answer.status).toBe(429);
  // tRPC's own code for 429 (TOO_MANY_REQUESTS), with the API's code in `data`.
  expect(answer.body).toMatchObject({
    error: { code: -32029, data: { code: "RATE_LIMITED", httpStatus: 429 } },
  });
}

describe.each(BACKENDS)("per-IP limits on the matched operation (%s)", (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(backend, {
      TRUST_PROXY: "1",
      RATE_LIMIT_SEND_PER_HOUR: "1",
      RATE_LIMIT_VERIFY_PER_MINUTE: "1",
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  for (const g of GROUPS) {
    describe(`the ${g.group} budget`, () => {
      for (const spelling of g.restSpellings) {
        it(`REST ${spelling} spends the budget of ${g.rest.canonical}`, async () => {
          const ip = freshIp();
          const first = await rawPost(t.url, spelling, g.rest.body(), ip);
          expect(first.status).not.toBe(404);
          expect(first.status).not.toBe(429);
          expectRestLimited(await rawPost(t.url, g.rest.canonical, g.rest.body(), ip));
          expectRestLimited(await rawPost(t.url, spelling, g.rest.body(), ip));
        });
      }
      for (const spelling of g.trpcSpellings) {
        it(`tRPC ${spelling} spends the same budget as REST`, async () => {
          const ip = freshIp();
          const first = await rawPost(t.url, spelling, g.trpc.body(), ip);
          expect(first.status).not.toBe(404);
          expect(first.status).not.toBe(429);
          expectRestLimited(await rawPost(t.url, g.rest.canonical, g.rest.body(), ip));
          expectTrpcLimited(await rawPost(t.url, spelling, g.trpc.body(), ip));
          // And the other way round: REST spent, tRPC refused.
          const other = freshIp();
          await rawPost(t.url, g.rest.canonical, g.rest.body(), other);
          expectTrpcLimited(await rawPost(t.url, spelling, g.trpc.body(), other));
        });
      }
    });
  }

  it("refuses the spellings the router does not route, once a budget is spent", async () => {
    const ip = freshIp();
    await rawPost(t.url, REST_VERIFY, { email: EMAIL(), otp: "12345678" }, ip);
    for (const path of REFUSED) {
      const answer = await rawPost(t.url, path, { email: EMAIL(), otp: "12345678" }, ip);
      expect([404, 429], path).toContain(answer.status);
    }
  });

  it("a batch that mixes procedures spends the budget of each group it contains", async () => {
    const ip = freshIp();
    const batch = await rawPost(
      t.url,
      "/trpc/auth.signOut,auth.verifyEmail,auth.resendCode?batch=1",
      { 1: { email: EMAIL(), code: "12345678" }, 2: { email: EMAIL() } },
      ip,
    );
    expect(batch.status, JSON.stringify(batch.body)).toBe(207);
    const [signOut, verify, resend] = batch.body as Array<{ result?: unknown; error?: unknown }>;
    expect(signOut?.result).toBeDefined();
    expect(verify?.error).toMatchObject({ data: { code: "OTP_INVALID" } });
    expect(resend?.result).toBeDefined();
    expectRestLimited(await rawPost(t.url, REST_VERIFY, { email: EMAIL(), otp: "12345678" }, ip));
    expectRestLimited(await rawPost(t.url, REST_RESEND, { email: EMAIL() }, ip));
  });

  it("each call of a batch spends its own unit: the second guess in one request is refused", async () => {
    const ip = freshIp();
    const input = { email: EMAIL(), code: "12345678" };
    const batch = await rawPost(
      t.url,
      "/trpc/auth.verifyEmail%2Cauth.verifyEmail?batch=1",
      { 0: input, 1: input },
      ip,
    );
    expect(batch.status, JSON.stringify(batch.body)).toBe(207);
    const [first, second] = batch.body as Array<{ error?: unknown }>;
    expect(first?.error).toMatchObject({ data: { code: "OTP_INVALID" } });
    expect(second?.error).toMatchObject({ code: -32029, data: { code: "RATE_LIMITED" } });
  });
});
