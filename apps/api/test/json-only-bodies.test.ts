/**
 * Only JSON bodies, on both surfaces (issue 23, finding 3; ADR 7): a form
 * (multipart or urlencoded) posted to a signed-in procedure with the session
 * cookie is a 415 and changes nothing, and a body of any other type is refused
 * before it is read, so the body limit holds for every request.
 */
import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, startTestApp, type TestApp } from "./harness.js";

const PASSWORD = "correct horse battery staple";
const BOUNDARY = "----form-boundary-7MA4YWxkTrZu0gW";

function multipart(fields: Record<string, string>): string {
  return `${Object.entries(fields)
    .map(
      ([name, value]) =>
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
    )
    .join("")}--${BOUNDARY}--\r\n`;
}

/** The error code of either envelope: REST `{ error: { code } }`, tRPC `{ error: { data: { code } } }`. */
async function codeOf(response: Response): Promise<string> {
  const body = (await response.json()) as { error: { code: unknown; data?: { code: string } } };
  return (body.error.data?.code ?? body.error.code) as string;
}

describe.each(BACKENDS)("only JSON bodies (%s)", (backend) => {
  let t: TestApp;
  let session: string;
  beforeAll(async () => {
    t = await startTestApp(backend);
    const email = "forms@example.com";
    const registered = await t.post("/api/v1/auth/register/", { email, password: PASSWORD });
    // The registration-binding cookie goes back with the code (ADR 10).
    const binding = registered.headers
      .getSetCookie()
      .map((c) => c.split(";")[0] ?? "")
      .join("; ");
    const verified = await t.post(
      "/api/v1/auth/verify-email/",
      { email, otp: await t.codeFor(email) },
      { headers: { cookie: binding } },
    );
    const cookie = verified.headers.getSetCookie().find((c) => c.includes("otp_session="));
    session = (cookie ?? "").split(";")[0] ?? "";
    expect(session).toMatch(/otp_session=./);
  });
  afterAll(async () => {
    await t?.close();
  });

  const signedIn = async () =>
    (await fetch(`${t.url}/api/v1/account/sessions/`, { headers: { cookie: session } })).status;

  const forms: Array<[string, string, string]> = [
    ["multipart/form-data", `multipart/form-data; boundary=${BOUNDARY}`, multipart({ x: "1" })],
    ["urlencoded", "application/x-www-form-urlencoded", "x=1"],
    ["text/plain", "text/plain", '{"json":{}}'],
  ];

  for (const path of ["/trpc/account.signOutEverywhere", "/api/v1/account/sign-out-everywhere/"]) {
    it.each(forms)(
      `a %s form to ${path} with the session cookie: 415, sessions intact`,
      async (_name, type, body) => {
        const response = await fetch(`${t.url}${path}`, {
          method: "POST",
          headers: { "content-type": type, cookie: session, origin: t.url },
          body,
        });
        expect(response.status).toBe(415);
        expect(await codeOf(response)).toBe("UNSUPPORTED_MEDIA_TYPE");
        expect(await signedIn()).toBe(200);
      },
    );
  }

  it("a body without a content type is refused too (415), on tRPC and REST", async () => {
    for (const path of [
      "/trpc/account.signOutEverywhere",
      "/api/v1/account/sign-out-everywhere/",
    ]) {
      const response = await fetch(`${t.url}${path}`, {
        method: "POST",
        headers: { cookie: session },
        body: new Blob(["{}"]),
      });
      expect(response.status).toBe(415);
      expect(await signedIn()).toBe(200);
    }
  });

  it("the body limit holds on tRPC as on REST (413)", async () => {
    const big = JSON.stringify({ email: "a@example.com", padding: "x".repeat(20_000) });
    for (const path of ["/trpc/auth.resendCode", "/api/v1/auth/resend-otp/"]) {
      const response = await t.post(path, big, { raw: true });
      expect(response.status).toBe(413);
      expect(await codeOf(response)).toBe("PAYLOAD_TOO_LARGE");
    }
  });
});

describe("a 60 MB multipart upload to tRPC", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp("pglite");
  });
  afterAll(async () => {
    await t?.close();
  });

  it("is answered 415 after its first 64 KiB, before the rest is sent: never read", async () => {
    const url = new URL(`${t.url}/trpc/auth.resendCode`);
    const chunk = Buffer.alloc(65_536, 0x61);
    const declared = 60 * 1024 * 1024;
    let sent = 0;
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest({
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: "POST",
        headers: {
          "content-type": `multipart/form-data; boundary=${BOUNDARY}`,
          "content-length": String(declared),
        },
      });
      req.on("response", (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
        req.destroy();
      });
      req.on("error", (error) => {
        if (sent < declared) return; // the server hung up on the unread rest: expected
        reject(error);
      });
      req.write(chunk);
      sent += chunk.length;
      // The rest is never sent unless the server waits for it (it should not).
      setTimeout(() => reject(new Error("no answer before the body ended")), 5_000);
    });
    expect(status).toBe(415);
    expect(sent).toBe(65_536);
  });
});
