/**
 * Property-based fuzzing (fast-check) of every HTTP endpoint, REST and tRPC
 * (batched calls too), through a real API process: arbitrary JSON, wrong
 * types, huge and unicode strings, wrong content types, malformed bodies, odd
 * methods and paths. After every property: no answer was a 5xx, the process
 * still runs and answers /healthz, no error was logged, and the invariants hold
 * in the database. The seed is printed and kept in the figures (FUZZ_SEED
 * replays a run).
 */
import { connect } from "node:net";
import { endpointsOf, restPath, TRPC_PREFIX } from "@otp/api";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApiProcess } from "../src/api-process.js";
import { checkInvariants, NO_VIOLATIONS, violationsOf } from "../src/database.js";
import { SERVER_URL } from "../src/environment.js";
import {
  type Answer,
  REST,
  registrationCookieOf,
  request,
  sessionCookieOf,
  TRPC,
} from "../src/http.js";
import { createScenario, type Scenario } from "../src/scenario.js";

const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const SCALE = Number(process.env.FUZZ_SCALE ?? 1);
const runs = (n: number) => Math.max(1, Math.round(n * SCALE));

interface Endpoint {
  path: string;
  /** The body's fields (the REST names). */
  fields: readonly string[];
  method?: "GET";
  /** Needs a signed-in session: half the cases send the fuzz account's cookie. */
  signedIn?: boolean;
}

/** Every endpoint of the API, REST and tRPC, from its operation declarations. */
const ENDPOINTS: readonly Endpoint[] = endpointsOf().flatMap((e) => [
  ...(e.rest === undefined
    ? []
    : [
        {
          path: e.rest.path,
          fields: e.rest.fields,
          ...(e.rest.method === "GET" ? { method: "GET" as const } : {}),
          ...(e.session ? { signedIn: true } : {}),
        },
      ]),
  ...(e.kind === "mutation"
    ? [{ path: e.trpcPath, fields: e.fields, ...(e.session ? { signedIn: true } : {}) }]
    : []),
]);
const PROCEDURES = endpointsOf()
  .filter((e) => !e.procedure.startsWith("dev."))
  .map((e) => e.procedure);

// ---- arbitraries ---------------------------------------------------------------

const unicode = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.constantFrom(
    "\u0000",
    "\u202e@evil.test",
    "ｅｘａｍｐｌｅ@ｅｘａｍｐｌｅ.com",
    "🙂@🙂.test",
    "\ud800",
    "a\r\nb",
  ),
);
const huge = fc
  .integer({ min: 200, max: 20_000 })
  .chain((n) =>
    fc.constantFrom("a".repeat(n), `${"a".repeat(n)}@example.test`, "9".repeat(n), "é".repeat(n)),
  );
const emailish = fc.oneof(
  fc.emailAddress(),
  fc.emailAddress().map((e) => e.toUpperCase()),
  fc.emailAddress().map((e) => ` ${e} `),
  fc.constantFrom(
    "",
    "@",
    "a@",
    "@b",
    "a@b",
    "a@@b.test",
    "fuzz@reliability.test",
    "FUZZ@Reliability.Test",
  ),
  unicode,
);
const codeish = fc.oneof(
  fc.stringMatching(/^\d{8}$/),
  fc.stringMatching(/^\d{1,12}$/),
  fc.stringMatching(/^[\d -]{8,16}$/),
  fc.constantFrom("00000000", "99999999", "1234-5678", " 12345678 ", "١٢٣٤٥٦٧٨", "1e7", "0x1234"),
  unicode,
);
const passwordish = fc.oneof(
  fc.string({ minLength: 8, maxLength: 40 }),
  fc.string({ maxLength: 7 }),
  fc.string({ minLength: 129, maxLength: 300 }),
  fc.constantFrom("        ", "correct horse battery staple"),
  unicode,
);
const wrongType = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
);
const fieldValue = (field: string) => {
  const right =
    field === "email" || field === "newEmail"
      ? emailish
      : field === "password" || field === "newPassword"
        ? passwordish
        : field === "codeType"
          ? fc.constantFrom(
              "VERIFICATION",
              "PASSWORD_RESET",
              "SIGN_IN",
              "EMAIL_CHANGE",
              "verification",
              "",
            )
          : codeish;
  return fc.oneof(
    { weight: 4, arbitrary: right },
    { weight: 1, arbitrary: wrongType },
    { weight: 1, arbitrary: huge },
  );
};
/** Objects shaped like the endpoint's body: some fields missing, some wrong, some extra. */
const nearValid = (fields: readonly string[]) =>
  fc
    .tuple(
      fc.record(
        Object.fromEntries(
          ["email", "password", "otp", "code", "codeType", "newEmail", "newPassword"].map((f) => [
            f,
            fieldValue(f),
          ]),
        ) as Record<string, fc.Arbitrary<unknown>>,
        { requiredKeys: [] },
      ),
      fc.subarray([...fields]),
      fc.dictionary(
        fc.constantFrom("__proto__", "constructor", "prototype", "isAdmin", "is_verified", "0", ""),
        fc.jsonValue({ maxDepth: 1 }),
        { maxKeys: 2 },
      ),
      fc.boolean(),
    )
    .map(([values, keep, extra, withExtra]) => {
      const body: Record<string, unknown> = {};
      for (const field of keep) body[field] = values[field] ?? values.email;
      // Keys like __proto__ must become own properties in the JSON text.
      return withExtra
        ? `{${[...Object.entries(body), ...Object.entries(extra)].map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v) ?? "null"}`).join(",")}}`
        : JSON.stringify(body);
    });

const contentType = fc.constantFrom(
  "application/json",
  "application/json; charset=utf-8",
  "application/json; charset=latin1",
  "APPLICATION/JSON",
  "application/vnd.api+json",
  "text/plain",
  "text/plain; charset=utf-8",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=xyz",
  "application/octet-stream",
  "json",
  ";;;",
  null,
);
const rawBody = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: "binary", maxLength: 200 }),
  fc.uint8Array({ maxLength: 300 }),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.jsonValue().map((v) => JSON.stringify(v).slice(0, -1)),
  fc.jsonValue().map((v) => `${JSON.stringify(v)}}{garbage`),
  fc.constantFrom(
    "",
    "{",
    "}",
    "null",
    '"string"',
    "\uFEFF{}",
    '{"email": "a@b.test", "email": "c@d.test"}',
    '{"email": "a@b.test", "password": "pppppppppp"',
    "email=a%40b.test&password=x",
    `${"[".repeat(3000)}${"]".repeat(3000)}`,
    `{"a":${'{"a":'.repeat(1500)}1${"}".repeat(1500)}}`,
  ),
);

// ---------------------------------------------------------------------------------

describe.skipIf(SERVER_URL === undefined)("fuzzing every endpoint (PostgreSQL)", () => {
  let s: Scenario;
  let api: ApiProcess;
  let cases = 0;
  let passwordCount = 0;
  let sessionEmail = "";
  let sessionPassword = "";
  let cookie = "";
  let signIns = 0;

  const signIn = async () => {
    const answer = await request(api.url, restPath("auth.signIn"), {
      email: sessionEmail,
      password: sessionPassword,
    });
    cookie = sessionCookieOf(answer) ?? "";
    signIns += 1;
  };

  /**
   * One fuzz case on an endpoint: POST with this body (a signed-in endpoint
   * gets the session cookie when `withSession`), then, if the case may have
   * revoked the session, a fresh sign-in.
   */
  const send = async (
    endpoint: Endpoint,
    raw: string | Uint8Array,
    headers: Record<string, string>,
    withSession: boolean,
  ) => {
    const useSession = withSession && endpoint.signedIn === true && cookie !== "";
    const answer = await request(api.url, endpoint.path, undefined, {
      raw,
      headers: useSession ? { ...headers, cookie: `otp_session=${cookie}` } : headers,
    });
    if (useSession && endpoint.path.includes("ign-out")) await signIn();
    return answer;
  };
  const statuses: Record<string, number> = {};
  const serverErrors: Array<{ input: string; status: number; body: string }> = [];

  /** Error answers outside the documented envelope, by status and shape (one example each). */
  const offEnvelope = new Map<
    string,
    { status: number; input: string; body: string; count: number }
  >();

  /**
   * One case: the answer must be below 500 (asserted at once: fast-check then
   * shrinks to a minimal input). An error answer should also carry the API's
   * error envelope with a code; those that do not are collected and asserted
   * in a test of their own, so one such answer does not stop the fuzzing.
   */
  const check = (input: string, answer: Answer, method = "POST") => {
    cases += 1;
    statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
    if (answer.status >= 500)
      serverErrors.push({
        input: input.slice(0, 300),
        status: answer.status,
        body: answer.text.slice(0, 300),
      });
    expect(answer.status, `${input.slice(0, 300)} -> ${answer.text.slice(0, 300)}`).toBeLessThan(
      500,
    );
    if (answer.status >= 400 && method !== "HEAD" && answer.errorCode === null) {
      const shape = `${answer.status} ${answer.text.replace(/"message":"[^"]*"/, '"message":"…"').slice(0, 120)}`;
      const seen = offEnvelope.get(shape);
      if (seen === undefined)
        offEnvelope.set(shape, {
          status: answer.status,
          input: input.slice(0, 200),
          body: answer.text.slice(0, 300),
          count: 1,
        });
      else seen.count += 1;
    }
  };

  const assertHealthy = async () => {
    expect(api.isRunning(), "the API process is running").toBe(true);
    const health = await request(api.url, "/healthz", undefined, { method: "GET" });
    expect(health.status).toBe(200);
    const errors = api.logLines().filter((line) => Number(line.level) >= 50);
    expect(errors.map((line) => line.msg)).toEqual([]);
    expect(violationsOf(await checkInvariants(s.db.sql))).toEqual(NO_VIOLATIONS);
  };

  const property = <T>(arb: fc.Arbitrary<T>, numRuns: number, run: (value: T) => Promise<void>) =>
    fc.assert(fc.asyncProperty(arb, run), { numRuns, seed: SEED, endOnFailure: true });

  beforeAll(async () => {
    console.log(`[fuzz] seed ${SEED} (FUZZ_SEED=${SEED} replays this run)`);
    s = await createScenario("fuzz");
    api = await s.startApi("api", { RATE_LIMIT_ENABLED: "false" });
    s.figures.seed = SEED;
    // An account of its own, signed in, so that the signed-in endpoints are fuzzed past the gate.
    sessionEmail = s.address("fuzz-session");
    sessionPassword = s.password();
    const registered = await request(api.url, REST.register, {
      email: sessionEmail,
      password: sessionPassword,
    });
    const binding = registrationCookieOf(registered);
    await request(
      api.url,
      REST.verifyEmail,
      { email: sessionEmail, otp: await s.liveCode(sessionEmail) },
      binding === undefined ? {} : { headers: { cookie: binding } },
    );
    await signIn();
  });

  afterAll(async () => {
    s.figures.cases = cases;
    s.figures.endpoints = ENDPOINTS.length;
    s.figures.signInsForTheSignedInEndpoints = signIns;
    s.figures.statuses = statuses;
    s.figures.serverErrors = serverErrors;
    console.log(`[fuzz] ${cases} cases, statuses ${JSON.stringify(statuses)}`);
    await s?.close();
  });

  it("well-formed requests with edge-case values against real accounts (case, spaces, unicode, code formats)", async () => {
    // A few addresses in several spellings, so requests meet existing accounts.
    const pool = [
      "fuzz-a@reliability.test",
      "FUZZ-A@Reliability.Test",
      " fuzz-a@reliability.test ",
      "fuzz-b@reliability.test",
      "Fuzz-B@RELIABILITY.test",
    ];
    const email = fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...pool) },
      { weight: 1, arbitrary: fc.emailAddress() },
    );
    const op = fc.oneof(
      fc.record({
        kind: fc.constant("register" as const),
        email,
        // A unique tail, so the secrets scan can look for each password without chance matches.
        password: fc
          .oneof(
            fc.string({ minLength: 8, maxLength: 64 }),
            fc.string({ unit: "grapheme", minLength: 8, maxLength: 20 }),
          )
          .map((value) => {
            passwordCount += 1;
            return `${value}~pw${passwordCount}~`;
          }),
      }),
      fc.record({
        kind: fc.constant("resend" as const),
        email,
        codeType: fc.constantFrom(undefined, "VERIFICATION", "PASSWORD_RESET", "SIGN_IN"),
      }),
      fc.record({
        kind: fc.constant("verify" as const),
        email,
        code: fc.oneof(
          fc.stringMatching(/^\d{8}$/),
          fc.constantFrom("1234 5678", "1234-5678", " 12345678 "),
        ),
      }),
    );
    await property(fc.tuple(op, fc.boolean()), runs(300), async ([request_, viaTrpc]) => {
      const path =
        request_.kind === "register"
          ? viaTrpc
            ? TRPC.register
            : REST.register
          : request_.kind === "resend"
            ? viaTrpc
              ? TRPC.resendCode
              : REST.resendOtp
            : viaTrpc
              ? TRPC.verifyEmail
              : REST.verifyEmail;
      const body =
        request_.kind === "register"
          ? { email: request_.email, password: request_.password }
          : request_.kind === "resend"
            ? request_.codeType === undefined
              ? { email: request_.email }
              : { email: request_.email, codeType: request_.codeType }
            : viaTrpc
              ? { email: request_.email, code: request_.code }
              : { email: request_.email, otp: request_.code };
      if (request_.kind === "register") s.ledger.add("password", request_.password);
      const text = JSON.stringify(body);
      check(
        `${path} ${text}`,
        await request(api.url, path, undefined, {
          raw: text,
          headers: { "content-type": "application/json" },
        }),
      );
    });
    await assertHealthy();
    // However it was spelled, one address is one account.
    const [accounts] = await s.db.sql<Array<{ n: number }>>`
      SELECT count(*)::int AS n FROM users WHERE lower(email) IN ('fuzz-a@reliability.test', 'fuzz-b@reliability.test')`;
    expect(accounts?.n ?? 0).toBeLessThanOrEqual(2);
  });

  it("arbitrary JSON values on every endpoint", async () => {
    await property(
      fc.tuple(fc.constantFrom(...ENDPOINTS), fc.jsonValue({ maxDepth: 4 }), fc.boolean()),
      runs(600),
      async ([endpoint, value, withSession]) => {
        const text = JSON.stringify(value);
        check(
          `${endpoint.path} ${text}`,
          await send(endpoint, text, { "content-type": "application/json" }, withSession),
        );
      },
    );
    await assertHealthy();
  });

  it("near-valid bodies: missing, wrong-typed, huge, unicode and extra fields", async () => {
    await property(
      fc
        .constantFrom(...ENDPOINTS)
        .chain((e) => fc.tuple(fc.constant(e), nearValid(e.fields), fc.boolean())),
      runs(900),
      async ([endpoint, text, withSession]) => {
        check(
          `${endpoint.path} ${text}`,
          await send(endpoint, text, { "content-type": "application/json" }, withSession),
        );
      },
    );
    await assertHealthy();
  });

  it("raw bodies with every kind of content type, malformed JSON included", async () => {
    await property(
      fc.tuple(fc.constantFrom(...ENDPOINTS), rawBody, contentType, fc.boolean()),
      runs(600),
      async ([endpoint, body, type, withSession]) => {
        const bytes = typeof body === "string" ? Buffer.from(body) : body;
        const headers: Record<string, string> = type === null ? {} : { "content-type": type };
        check(
          `${endpoint.path} [${type}] ${Buffer.from(bytes).toString("utf8").slice(0, 200)}`,
          await send(endpoint, bytes, headers, withSession),
        );
      },
    );
    await assertHealthy();
  });

  it("tRPC batches: up to 14 calls, known and unknown procedures, arbitrary inputs", async () => {
    const procedure = fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(...PROCEDURES) },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          "dev.mailbox",
          "auth",
          "auth.",
          ".",
          "auth.nothing",
          "__proto__",
          "auth.register.x",
          "",
        ),
      },
      { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 20 }) },
    );
    const input = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      fc.record({ email: emailish, password: passwordish }, { requiredKeys: [] }),
      fc.record({ email: emailish, code: codeish }, { requiredKeys: [] }),
      fc.record(
        {
          email: emailish,
          codeType: fc.constantFrom("VERIFICATION", "PASSWORD_RESET", "SIGN_IN", "x"),
        },
        { requiredKeys: [] },
      ),
    );
    await property(
      fc.tuple(
        fc.array(fc.tuple(procedure, input), { minLength: 1, maxLength: 14 }),
        fc.constantFrom("?batch=1", "", "?batch=0", "?batch=true", "?batch=1&input=%7B"),
        fc.constantFrom("POST", "GET"),
        fc.boolean(),
      ),
      runs(400),
      async ([calls, query, method, asObject]) => {
        const path = `${TRPC_PREFIX}/${calls.map(([name]) => encodeURIComponent(name)).join(",")}`;
        const body = asObject
          ? Object.fromEntries(calls.map(([, value], i) => [String(i), value]))
          : calls.map(([, value]) => value);
        const text = JSON.stringify(body);
        const answer =
          method === "GET"
            ? await request(
                api.url,
                `${path}${query}${query === "" ? "?" : "&"}input=${encodeURIComponent(text)}`,
                undefined,
                { method },
              )
            : await request(api.url, `${path}${query}`, undefined, {
                raw: text,
                headers: { "content-type": "application/json" },
              });
        check(`${method} ${path}${query} ${text}`, answer, method);
      },
    );
    await assertHealthy();
  });

  it("other methods, odd paths and query strings", async () => {
    const paths = fc.oneof(
      fc.constantFrom(
        ...ENDPOINTS.map((e) => e.path),
        "/api/v1/auth/register",
        "/api/v1/auth//register/",
        "/api/v1/auth/../auth/register/",
        "/trpc/",
        "/trpc",
        "/api/",
        "/readyz",
        "/healthz",
        "/%",
        "/trpc/%E0%A4%A",
        "/api/v1/auth/register/?email=a%40b.test",
      ),
      fc.webPath().map((p) => `/api/v1/auth${p}`),
      fc.webPath().map((p) => `/trpc${p}`),
    );
    await property(
      fc.tuple(
        paths,
        fc.constantFrom("GET", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD", "POST"),
        fc.jsonValue({ maxDepth: 2 }),
      ),
      runs(300),
      async ([path, method, value]) => {
        const withBody = method !== "GET" && method !== "HEAD";
        const answer = await request(
          api.url,
          path,
          undefined,
          withBody
            ? {
                method,
                raw: JSON.stringify(value),
                headers: { "content-type": "application/json" },
              }
            : { method },
        );
        check(
          `${method} ${path}`,
          answer,
          method === "OPTIONS" && answer.status === 204 ? "HEAD" : method,
        );
      },
    );
    await assertHealthy();
  });

  it("malformed HTTP on a raw socket: bad lengths, bad chunks, oversized headers", async () => {
    const port = Number(new URL(api.url).port);
    const payloads = [
      "POST /api/v1/auth/register/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 999\r\n\r\n{}",
      "POST /api/v1/auth/register/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: -1\r\n\r\n{}",
      "POST /api/v1/auth/register/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
      "POST /trpc/auth.register HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
      "POST /trpc/auth.register HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
      `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(70_000)}\r\n\r\n`,
      "BREW /api/v1/auth/register/ HTTP/1.1\r\nHost: x\r\n\r\n",
      "POST /api/v1/auth/register/ HTTP/9.9\r\nHost: x\r\n\r\n",
      "\u0000\u0001\u0002 garbage\r\n\r\n",
      'POST /api/v1/auth/verify-email/ HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: 5\r\n\r\n{"em',
    ];
    const answers: string[] = [];
    for (const payload of payloads) {
      answers.push(
        await new Promise<string>((resolve) => {
          const socket = connect(port, "127.0.0.1");
          let received = "";
          const timer = setTimeout(() => socket.destroy(), 3_000);
          socket.on("data", (chunk) => {
            received += chunk.toString("latin1");
          });
          socket.on("close", () => {
            clearTimeout(timer);
            resolve(received.split("\r\n")[0] ?? "");
          });
          socket.on("error", () => undefined);
          socket.end(payload);
        }),
      );
      cases += 1;
    }
    // An answer, if any, is a 4xx; a closed connection is fine; a 5xx is not.
    for (const [index, line] of answers.entries()) {
      expect(line, payloads[index]?.slice(0, 80)).not.toMatch(/^HTTP\/1\.[01] 5/);
    }
    s.figures.rawSocketAnswers = answers;
    await assertHealthy();
  });

  it("every error answer carries the API's error envelope and code (no framework internals)", () => {
    const examples = [...offEnvelope.values()];
    s.figures.offEnvelope = examples;
    expect(examples).toEqual([]);
  });

  it("never a 5xx or a crash; no secret in logs or answers, no plaintext code stored", async () => {
    expect(serverErrors).toEqual([]);
    expect(cases).toBeGreaterThan(runs(2500));
    const { invariants, plaintext, leaks } = await s.closingChecks();
    expect(violationsOf(invariants)).toEqual(NO_VIOLATIONS);
    expect(plaintext.hits).toEqual([]);
    expect(leaks.leaks).toEqual([]);
  });
});
