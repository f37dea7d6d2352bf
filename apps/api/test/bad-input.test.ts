/** Bad input on every endpoint gets a clear 4xx, never a 5xx, and changes nothing. */
import { passcodeTable, userTable } from "@otp/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "./harness.js";

const PASSWORD = "correct horse battery staple";
/** A link token of the right shape that names no code. */
const LINK_TOKEN =
  "0b0e4a3c-5d1f-4e2a-9c7b-3f6d8e1a2b4c.q2Vb0x7m1kQe3T9rX8yZp4LwN6uJc5AaHs0dFg2iK1E";

/** Each endpoint with a valid body, and the name its code field goes by. */
const ENDPOINTS = [
  {
    path: "/api/v1/auth/register/",
    valid: { email: "a@example.com", password: PASSWORD },
    codeField: null,
  },
  {
    path: "/api/v1/auth/verify-email/",
    valid: { email: "a@example.com", otp: "12345678" },
    codeField: "otp",
  },
  { path: "/api/v1/auth/resend-otp/", valid: { email: "a@example.com" }, codeField: null },
  {
    path: "/trpc/auth.register",
    valid: { email: "a@example.com", password: PASSWORD },
    codeField: null,
  },
  {
    path: "/trpc/auth.verifyEmail",
    valid: { email: "a@example.com", code: "12345678" },
    codeField: "code",
  },
  { path: "/trpc/auth.resendCode", valid: { email: "a@example.com" }, codeField: null },
  { path: "/api/v1/auth/verify-link/", valid: { token: LINK_TOKEN }, codeField: "token" },
  { path: "/trpc/auth.useLink", valid: { token: LINK_TOKEN }, codeField: "token" },
  // Describing a link is a POST too: its token travels in the body (ADR 23).
  { path: "/api/v1/auth/verify-link/describe/", valid: { token: LINK_TOKEN }, codeField: "token" },
  { path: "/trpc/auth.describeLink", valid: { token: LINK_TOKEN }, codeField: "token" },
] as const;

/** The error object of either envelope: REST `{ error }`, tRPC `{ error: { data } }`. */
async function errorOf(
  response: Response,
): Promise<{ code: string; message: string; fieldErrors?: object }> {
  const body = (await response.json()) as {
    error: { code: unknown; message: string; data?: { code: string } };
  };
  if (body.error.data !== undefined)
    return { ...body.error.data, message: body.error.message } as never;
  return body.error as never;
}

describe("bad input", () => {
  let t: TestApp;
  beforeAll(async () => {
    // Dozens of bad requests from one address: the per-IP guess limit is tested elsewhere.
    t = await startTestApp("pglite", {
      BODY_LIMIT_BYTES: "4096",
      RATE_LIMIT_VERIFY_PER_MINUTE: "1000",
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  for (const endpoint of ENDPOINTS) {
    describe(endpoint.path, () => {
      const cases: Array<[string, () => Promise<Response>, number, string]> = [
        [
          "malformed JSON",
          () => t.post(endpoint.path, '{"email": "a@', { raw: true }),
          400,
          "INVALID_JSON",
        ],
        ["an empty body", () => t.post(endpoint.path, "", { raw: true }), 400, "INVALID_JSON"],
        [
          "a wrong content type",
          () =>
            t.post(endpoint.path, "email=a@example.com", {
              raw: true,
              headers: { "content-type": "text/plain" },
            }),
          415,
          "UNSUPPORTED_MEDIA_TYPE",
        ],
        ["missing fields", () => t.post(endpoint.path, {}), 400, "INVALID_INPUT"],
        [
          "an extra field",
          () => t.post(endpoint.path, { ...endpoint.valid, isAdmin: true }),
          400,
          "INVALID_INPUT",
        ],
        [
          "wrong types",
          () =>
            t.post(
              endpoint.path,
              Object.fromEntries(Object.keys(endpoint.valid).map((k) => [k, 12345678])),
            ),
          400,
          "INVALID_INPUT",
        ],
        ["a JSON array", () => t.post(endpoint.path, [endpoint.valid]), 400, "INVALID_INPUT"],
        ["JSON null", () => t.post(endpoint.path, null), 400, "INVALID_INPUT"],
        [
          "an oversized body",
          () => t.post(endpoint.path, { ...endpoint.valid, padding: "x".repeat(8192) }),
          413,
          "PAYLOAD_TOO_LARGE",
        ],
        [
          "an invalid email",
          () => t.post(endpoint.path, { ...endpoint.valid, email: "not an email" }),
          400,
          "INVALID_INPUT",
        ],
      ];
      if (endpoint.codeField !== null) {
        const field = endpoint.codeField;
        cases.push(
          [
            "a code with letters",
            () => t.post(endpoint.path, { ...endpoint.valid, [field]: "1234abcd" }),
            400,
            "INVALID_INPUT",
          ],
          [
            "a code too short",
            () => t.post(endpoint.path, { ...endpoint.valid, [field]: "1234567" }),
            400,
            "INVALID_INPUT",
          ],
          [
            "a code too long",
            () => t.post(endpoint.path, { ...endpoint.valid, [field]: "123456789" }),
            400,
            "INVALID_INPUT",
          ],
        );
      }
      it.each(cases)("%s -> clear 4xx", async (_name, send, status, code) => {
        const response = await send();
        expect(response.status).toBe(status);
        const error = await errorOf(response);
        expect(error.code).toBe(code);
        expect(error.message.length).toBeGreaterThan(10);
        expect(error.message).not.toMatch(/zod|stack|undefined|FST_/i);
      });
    });
  }

  it("names the offending field, in the REST body's own terms", async () => {
    const response = await t.post("/api/v1/auth/verify-email/", {
      email: "a@example.com",
      otp: "12",
    });
    expect(await errorOf(response)).toMatchObject({
      fieldErrors: { otp: [expect.stringContaining("8 digits")] },
    });
  });

  it("answers unknown paths and methods with JSON 404s", async () => {
    const missing = await t.post("/api/v1/auth/nothing/", {});
    expect(missing.status).toBe(404);
    expect(await errorOf(missing)).toMatchObject({ code: "NOT_FOUND" });
    const get = await fetch(`${t.url}/api/v1/auth/register/`);
    expect(get.status).toBe(404);
    const trpcMissing = await t.post("/trpc/auth.nothing", {});
    expect(trpcMissing.status).toBe(404);
  });

  it("left the database untouched", async () => {
    expect(await userTable(t.database)).toEqual([]);
    expect(await passcodeTable(t.database)).toEqual([]);
  });
});
