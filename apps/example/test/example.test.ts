import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serve } from "@hono/node-server";
import { TEST_SECRET } from "@otp/core/testing";
import type { OtpRouter } from "@otp/server";
import { createTRPCClient, httpLink } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/app.js";

let dataDir: string;
let example: Awaited<ReturnType<typeof createApp>>;
let server: ReturnType<typeof serve>;
let url: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "otp-example-"));
  example = await createApp({ DATA_DIR: dataDir, APP_SECRET: TEST_SECRET });
  server = serve({ fetch: example.app.fetch, port: 0, hostname: "127.0.0.1" });
  await new Promise((resolve) => server.once("listening", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 120_000);

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await example.otp.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The cookies of the answer, as the browser sends them back. */
function cookiesOf(response: Response, jar: Map<string, string>): string {
  for (const line of response.headers.getSetCookie()) {
    const [name = "", value = ""] = (line.split(";")[0] ?? "").split("=");
    if (value === "") jar.delete(name);
    else jar.set(name, value);
  }
  return [...jar].map(([name, value]) => `${name}=${value}`).join("; ");
}

describe("the example app (Hono on @hono/node-server, the product embedded)", () => {
  it("answers its own route 401 without a session", async () => {
    const response = await fetch(`${url}/hello`);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: "Sign in first." });
  });

  it("registers, verifies with the code from its own transport, and reaches its own route", async () => {
    const jar = new Map<string, string>();
    const post = async (path: string, body: object) => {
      const response = await fetch(`${url}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", cookie: cookiesOf(new Response(), jar) },
        body: JSON.stringify(body),
      });
      cookiesOf(response, jar);
      return response;
    };
    const registered = await post("/api/v1/auth/register/", {
      email: "grace@example.com",
      password: "a long and unusual passphrase 42",
    });
    expect(registered.status).toBe(201);
    const code = await example.mail.waitForCode("grace@example.com");
    const verified = await post("/api/v1/auth/verify-email/", {
      email: "grace@example.com",
      otp: code,
    });
    expect(verified.status).toBe(200);
    expect(await verified.json()).toMatchObject({ signedIn: true, passwordActive: true });

    const hello = await fetch(`${url}/hello`, {
      headers: { cookie: cookiesOf(new Response(), jar) },
    });
    expect(hello.status).toBe(200);
    expect(await hello.json()).toEqual({ email: "grace@example.com" });
  });

  it("serves the tRPC procedures to a typed client of OtpRouter", async () => {
    const client = createTRPCClient<OtpRouter>({ links: [httpLink({ url: `${url}/trpc` })] });
    const rules = await client.auth.rules.query();
    expect(rules.codeLength).toBe(8);
    await expect(client.auth.me.query()).rejects.toMatchObject({ data: { code: "UNAUTHORIZED" } });
  });

  it("is the README's Hono snippet, line for line", () => {
    const readme = readFileSync(join(import.meta.dirname, "..", "..", "..", "README.md"), "utf8");
    const source = readFileSync(join(import.meta.dirname, "..", "src", "app.ts"), "utf8");
    expect(readme).toContain(source.trim());
  });

  it("the README's Next.js and Express snippets are the type-checked files of snippets/", () => {
    const readme = readFileSync(join(import.meta.dirname, "..", "..", "..", "README.md"), "utf8");
    for (const snippet of ["next.ts", "express.ts"]) {
      const source = readFileSync(join(import.meta.dirname, "..", "snippets", snippet), "utf8");
      expect(readme).toContain(source.trim());
    }
  });
});
