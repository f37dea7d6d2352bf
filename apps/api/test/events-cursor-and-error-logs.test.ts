/**
 * Issue 23, finding 8, on PGlite and PostgreSQL: a crafted security-events
 * cursor answers 400 INVALID_INPUT on REST and tRPC (it answered 500: the
 * database refused the year), and a statement that fails logs neither its
 * parameters nor the values a database error quotes.
 */
import { queryRows } from "@otp/core/db";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, startTestApp, type TestApp } from "./harness.js";

const PASSWORD = "correct horse battery staple";
const SOME_ID = "0195d1f4-8a1b-7c3d-9e2f-0123456789ab";

const encode = (text: string) => Buffer.from(text).toString("base64url");

/** What issue 23 sent, and more of the same kind. */
const CRAFTED_CURSORS = [
  encode(`0000-01-01T00:00:00Z|${SOME_ID}`),
  encode(`0000-01-01T00:00:00.000Z|${SOME_ID}`),
  encode(`+275760-09-13T00:00:00.000Z|${SOME_ID}`),
  encode(`-000001-01-01T00:00:00.000Z|${SOME_ID}`),
  encode(`2025-02-30T00:00:00.000Z|${SOME_ID}`),
  encode(`2025-01-01T00:00:00.000Z|${SOME_ID}|x`),
  encode("\u0000garbage\uffff"),
  "!!!",
];

describe.each(BACKENDS)("security-events cursor and error logs (%s)", (backend) => {
  let t: TestApp;
  let cookie = "";
  const email = `cursor-${backend}@example.test`;

  beforeAll(async () => {
    t = await startTestApp(backend);
    const cookiesOf = (response: Response) =>
      response.headers
        .getSetCookie()
        .map((set) => set.split(";")[0])
        .join("; ");
    // Verified from the registering client (its registration cookie): signed in at once.
    const registered = await t.post("/api/v1/auth/register/", { email, password: PASSWORD });
    expect(registered.status).toBe(201);
    const verified = await t.post(
      "/api/v1/auth/verify-email/",
      { email, otp: await t.codeFor(email) },
      { headers: { cookie: cookiesOf(registered) } },
    );
    const verifiedBody = await verified.json();
    expect(verifiedBody, JSON.stringify(verifiedBody)).toMatchObject({ signedIn: true });
    cookie = cookiesOf(verified);
  });
  afterAll(async () => {
    await t?.close();
  });

  it("a crafted cursor answers 400 INVALID_INPUT with a clear message on REST and tRPC; nothing failed", async () => {
    for (const cursor of CRAFTED_CURSORS) {
      const rest = await fetch(
        `${t.url}/api/v1/account/security-events/?cursor=${encodeURIComponent(cursor)}`,
        { headers: { cookie } },
      );
      expect(rest.status, cursor).toBe(400);
      const restBody = (await rest.json()) as { error: { code: string; fieldErrors?: unknown } };
      expect(restBody.error.code).toBe("INVALID_INPUT");
      expect(JSON.stringify(restBody)).toContain("Use the nextCursor of the previous page.");

      const input = encodeURIComponent(JSON.stringify({ cursor }));
      const trpc = await fetch(`${t.url}/trpc/account.securityEvents?input=${input}`, {
        headers: { cookie },
      });
      expect(trpc.status, cursor).toBe(400);
      expect(await trpc.text()).toContain("INVALID_INPUT");
    }
    expect(t.logs.join("")).not.toMatch(/request failed|procedure failed/);
  });

  it("a statement that fails logs no parameter values (the cursor's time and id, the account)", async () => {
    const [account] = await queryRows<{ id: string }>(
      t.database.db,
      sql`SELECT id FROM users WHERE email = ${email}`,
    );
    const at = "2031-05-17T08:09:10.123Z";
    const cursor = encode(`${at}|${SOME_ID}`);
    // The events statement now fails inside the database (no such relation).
    await t.database.db.execute(sql`ALTER TABLE security_events RENAME TO security_events_gone`);
    try {
      const rest = await fetch(
        `${t.url}/api/v1/account/security-events/?cursor=${encodeURIComponent(cursor)}`,
        { headers: { cookie } },
      );
      expect(rest.status).toBe(500);
      expect(await rest.json()).toMatchObject({ error: { code: "INTERNAL_ERROR" } });
      const input = encodeURIComponent(JSON.stringify({ cursor }));
      const trpc = await fetch(`${t.url}/trpc/account.securityEvents?input=${input}`, {
        headers: { cookie },
      });
      expect(trpc.status).toBe(500);
    } finally {
      await t.database.db.execute(sql`ALTER TABLE security_events_gone RENAME TO security_events`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    const failures = t.logs.filter((line) => /request failed|procedure failed/.test(line));
    expect(failures.length).toBeGreaterThanOrEqual(2);
    const text = failures.join("");
    // The failure is there, with the statement's text and the database's reason...
    expect(text).toContain("security_events");
    expect(text).toMatch(/does not exist/);
    // ...and none of its parameters.
    for (const value of [SOME_ID, account?.id ?? "?", "2031-05-17", email]) {
      expect(text).not.toContain(value);
    }
    expect(text).not.toMatch(/params:/);
  });
});
