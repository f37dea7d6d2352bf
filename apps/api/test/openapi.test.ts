/**
 * The OpenAPI document: valid OpenAPI 3.1 (checked by a real validator), every
 * REST route in it with its body schema, answers and error envelope, and every
 * documented example body accepted by the live server. The reference page is
 * served from the package, under a CSP that allows its scripts and nothing else.
 */
import { request as httpGet } from "node:http";
import { brotliDecompressSync } from "node:zlib";
import { endpointsOf } from "@otp/server/internal";
import { Validator } from "@seriousme/openapi-schema-validator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, startTestApp, type TestApp } from "./harness.js";

// biome-ignore lint/suspicious/noExplicitAny: walking a parsed JSON document in assertions
type Json = Record<string, any>;

describe.each(BACKENDS)("OpenAPI (%s)", (backend) => {
  let t: TestApp;
  let document: Json;
  let cookie = "";
  beforeAll(async () => {
    t = await startTestApp(backend);
    const response = await fetch(`${t.url}/api/v1/openapi.json`);
    expect(response.status).toBe(200);
    document = (await response.json()) as Json;
    // A signed-in client, for the examples of the signed-in operations.
    const email = "docs@example.com";
    const password = "correct horse battery staple";
    const registered = await t.post("/api/v1/auth/register/", { email, password });
    // Verified from the registering client (its binding cookie), so the password is active (ADR 10).
    const binding =
      registered.headers
        .getSetCookie()
        .find((c) => c.startsWith("otp_registration="))
        ?.split(";")[0] ?? "";
    await t.post(
      "/api/v1/auth/verify-email/",
      { email, otp: await t.codeFor(email) },
      { headers: { cookie: binding } },
    );
    const signedIn = await t.post("/api/v1/auth/sign-in/", { email, password });
    cookie = (signedIn.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  });
  afterAll(async () => {
    await t?.close();
  });

  it("is a valid OpenAPI 3.1 document", async () => {
    const validator = new Validator();
    const result = await validator.validate(document);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
  });

  const rest = endpointsOf().filter((e) => e.rest !== undefined);

  it("lists every REST route, and nothing else", () => {
    const listed = Object.entries(document.paths as Json).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(listed.sort()).toEqual(rest.map((e) => `${e.rest?.method} ${e.rest?.path}`).sort());
  });

  for (const endpoint of rest) {
    const binding = endpoint.rest as NonNullable<typeof endpoint.rest>;
    describe(`${binding.method} ${binding.path}`, () => {
      const operation = () => document.paths[binding.path][binding.method.toLowerCase()] as Json;

      it("documents its body with the REST field names, its success and its errors", () => {
        const op = operation();
        expect(op.operationId).toBe(endpoint.procedure);
        expect(op.summary).toBe(endpoint.operation.summary);
        if (binding.method === "POST") {
          const schema = op.requestBody.content["application/json"].schema as Json;
          expect(schema.additionalProperties).toBe(false);
          expect(Object.keys(schema.properties).sort()).toEqual([...binding.fields].sort());
          if (binding.fields.includes("otp")) expect(schema.properties.code).toBeUndefined();
        }
        const statuses = Object.keys(op.responses);
        expect(statuses).toContain(String(binding.status ?? 200));
        const expected = ["400", "503"];
        if (binding.method === "POST") expected.push("413", "415");
        if (endpoint.session) expected.push("401");
        if (endpoint.limit !== "none") expected.push("429");
        if (endpoint.operation.failures.includes("EMAIL_NOT_VERIFIED")) expected.push("403");
        if (endpoint.operation.failures.includes("REAUTHENTICATION_REQUIRED")) expected.push("403");
        if (endpoint.operation.failures.includes("EMAIL_TAKEN")) expected.push("409");
        for (const status of expected) {
          expect(statuses, status).toContain(status);
          expect(op.responses[status].content["application/json"].schema).toEqual({
            $ref: "#/components/schemas/Error",
          });
        }
      });

      it("documents an example of every answer: the success one valid for the operation's output", () => {
        const op = operation();
        const success = op.responses[String(binding.status ?? 200)].content["application/json"];
        expect(success.example).toBeDefined();
        // REST calls the procedure's `message` `detail`.
        const { detail, ...rest } = success.example as Json;
        const asProcedure = detail === undefined ? rest : { ...rest, message: detail };
        const parsed = endpoint.operation.output.safeParse(asProcedure);
        expect(parsed.error?.issues ?? [], JSON.stringify(success.example)).toEqual([]);
        for (const [status, response] of Object.entries(op.responses as Json)) {
          if (status.startsWith("2")) continue;
          const examples = response.content["application/json"].examples as Json;
          const codes = Object.keys(examples);
          expect(codes.length, status).toBeGreaterThan(0);
          for (const code of codes) {
            expect(response.description).toContain(`\`${code}\``);
            expect(examples[code].value.error.code).toBe(code);
            expect(typeof examples[code].value.error.message).toBe("string");
          }
        }
        for (const parameter of (op.parameters ?? []) as Json[]) {
          expect(parameter.description, parameter.name).toEqual(expect.any(String));
          expect(JSON.stringify(parameter.schema), parameter.name).not.toContain('"null"');
        }
      });

      if (binding.method === "POST") {
        it("its documented example body is accepted by the live server", async () => {
          const example = operation().requestBody.content["application/json"].example;
          expect(example).toBeDefined();
          const response = await t.post(binding.path, example, {
            headers: endpoint.session ? { cookie } : {},
          });
          const body = (await response.json()) as { error?: { code: string } };
          expect(response.status, JSON.stringify(body)).toBeLessThan(500);
          // NOT_FOUND means no such route, unless the operation answers it itself (an
          // example session id is no session of the signed-in account).
          const declared = (endpoint.operation.failures as readonly string[]).includes("NOT_FOUND");
          expect([
            "INVALID_INPUT",
            "INVALID_JSON",
            "UNAUTHORIZED",
            ...(declared ? [] : ["NOT_FOUND"]),
          ]).not.toContain(body.error?.code);
        });
      }
    });
  }

  it("serves the reference page and its script from the package, under a CSP naming the page's inline script", async () => {
    const page = await fetch(`${t.url}/api/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    expect(page.headers.get("cache-control")).toBe("no-cache");
    const html = await page.text();
    const sources = [...html.matchAll(/<script[^>]*\bsrc="([^"]+)"/g)].map(([, src]) => src);
    expect(sources).toHaveLength(1);
    expect(sources[0]).toMatch(/^\/api\/docs\/scalar\.[0-9a-f]{16}\.js$/);
    expect(html).not.toMatch(/https?:\/\/(cdn|fonts)\./);
    // No "Deploy" / "Generate SDK" (the developer tools bar), no "Ask AI" (the agent).
    expect(html).toContain('"showDeveloperTools":"never"');
    expect(html).toContain('"agent":{"disabled":true}');
    const csp = page.headers.get("content-security-policy") ?? "";
    expect(csp).toMatch(/script-src 'self' 'sha256-[A-Za-z0-9+/=]+'/);
    expect(csp).not.toContain("unsafe-inline' 'unsafe-eval");
    const etag = page.headers.get("etag") ?? "";
    expect(etag).not.toBe("");
    expect((await fetch(`${t.url}/api/docs`, { headers: { "if-none-match": etag } })).status).toBe(
      304,
    );
    // Every other answer keeps the app's own policy.
    const other = await fetch(`${t.url}/healthz`);
    expect(other.headers.get("content-security-policy")).not.toContain("sha256-");
  });

  it("serves the reference's script compressed and cacheable for good", async () => {
    const html = await (await fetch(`${t.url}/api/docs`)).text();
    const src = /<script[^>]*\bsrc="([^"]+)"/.exec(html)?.[1] as string;
    const sizes: Record<string, number> = {};
    for (const encoding of ["br", "gzip", "identity"]) {
      // node's fetch would decode: read the bytes as sent, through a raw request.
      const answer = await rawGet(`${t.url}${src}`, encoding);
      expect(answer.status, encoding).toBe(200);
      expect(answer.headers["content-type"]).toMatch(/javascript/);
      expect(answer.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
      expect(answer.headers.vary).toContain("accept-encoding");
      expect(answer.headers["content-encoding"]).toBe(
        encoding === "identity" ? undefined : encoding,
      );
      sizes[encoding] = answer.body.length;
    }
    expect(sizes.identity).toBeGreaterThan(1_000_000);
    expect(sizes.br).toBeLessThan((sizes.identity as number) / 3);
    expect(sizes.gzip).toBeLessThan((sizes.identity as number) / 3);
    const decoded = brotliDecompressSync((await rawGet(`${t.url}${src}`, "br")).body);
    expect(decoded.length).toBe(sizes.identity);
    expect(decoded.toString("utf8")).toContain("createApiReference");
    // Any other name under /api/docs/ is a 404.
    const other = await fetch(`${t.url}/api/docs/scalar.0000000000000000.js`);
    expect(other.status).toBe(404);
  });
});

/** A GET whose body is read as sent (no decoding), with the given Accept-Encoding. */
function rawGet(
  url: string,
  acceptEncoding: string,
): Promise<{ status: number; headers: Record<string, string | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = httpGet(url, { headers: { "accept-encoding": acceptEncoding } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers as Record<string, string | undefined>,
          body: Buffer.concat(chunks),
        }),
      );
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}
