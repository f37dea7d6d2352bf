/**
 * The dispatcher's behaviour, written once and run on PGlite and on a real
 * PostgreSQL server, with the real service queuing codes and a real SMTP
 * server receiving them.
 */
import { createOtpService } from "@otp/core";
import { deriveKeys, NO_RECIPIENT_KIND, openOutboxPayload } from "@otp/core/internal";
import { claimDueEmails, listOutbox } from "@otp/core/repositories";
import {
  captureLogger,
  cheapArgon2,
  createTestService,
  defineDatabaseSuite,
  type LogLine,
  readOutbox,
  T0,
  TEST_SECRET,
  type TestBackend,
  type TestClock,
  type TestDatabase,
} from "@otp/core/testing";
import { afterEach, beforeEach, expect, it } from "vitest";
import { retryDelayMs } from "../src/backoff.js";
import { createDispatcher, type Dispatcher, type DispatcherOptions } from "../src/dispatcher.js";
import {
  createSmtpServer,
  logsMention,
  renderer,
  smtpTransportTo,
  type TestSmtpServer,
  waitFor,
} from "./support.js";

const PASSWORD = "a long enough password";
const CODE_TTL_SECONDS = 15 * 60;

export function defineDispatcherContract(backend: TestBackend, serverUrl?: string): void {
  let database: TestDatabase;
  let smtp: TestSmtpServer;
  let clock: TestClock;
  let logs: LogLine[];
  const cleanups: Array<() => Promise<void>> = [];

  defineDatabaseSuite(backend, serverUrl, (suite) => {
    ({ database, clock } = suite);
  });
  beforeEach(async () => {
    logs = [];
    smtp = await createSmtpServer({ rejectRecipient: (address) => address.startsWith("bounce") });
    cleanups.push(() => smtp.stop());
  });
  afterEach(async () => {
    // Last in, first out: dispatchers stop before their transport closes and the server stops.
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** A dispatcher on the test database and SMTP server; frozen test clock unless `clock` is given. */
  function dispatcher(overrides: Partial<DispatcherOptions> = {}): Dispatcher {
    const transport = smtpTransportTo(smtp);
    cleanups.push(() => transport.close());
    const created = createDispatcher({
      database,
      secret: TEST_SECRET,
      renderer,
      transport,
      logger: captureLogger(logs),
      clock: clock.now,
      ...overrides,
    });
    cleanups.push(() => created.stop());
    return created;
  }

  /** The service on the frozen test clock (drain tests) or on real time (`realTime`). */
  function service(realTime = false) {
    return realTime
      ? createOtpService({
          db: database.db,
          secret: TEST_SECRET,
          passwordHasher: cheapArgon2,
          logger: captureLogger([]),
        })
      : createTestService(database, { clock: clock.now });
  }

  async function outbox() {
    return readOutbox(database, TEST_SECRET);
  }

  /**
   * The test database behind a wrapper that counts the statements marking rows
   * SENT, and fails the first `failFirst` of them as a dropped connection would.
   */
  function countingSettles(failFirst = 0) {
    const counts = { settleStatements: 0, failed: 0 };
    const counted: DispatcherOptions["database"] = {
      listen: database.listen,
      db: {
        execute: (query: Parameters<typeof database.db.execute>[0]) => {
          if (/SET status = 'SENT'/.test(statementText(query))) {
            counts.settleStatements += 1;
            if (counts.failed < failFirst) {
              counts.failed += 1;
              return Promise.reject(new Error("connection terminated unexpectedly"));
            }
          }
          return database.db.execute(query);
        },
      } as unknown as typeof database.db,
    };
    return { counted, counts };
  }

  /** A transport whose sends all succeed at once, so batching does not hang on SMTP timing. */
  function memoryTransport() {
    const delivered: string[] = [];
    const transport: DispatcherOptions["transport"] = {
      send: async (mail) => {
        delivered.push(mail.to);
        return { messageId: mail.headers?.["Message-ID"] ?? "" };
      },
    };
    return { transport, delivered };
  }

  it("sends a queued code once, marks the row SENT and scrubs its payload", async () => {
    await service().register({ email: "ada@example.com", password: PASSWORD });
    const [queued] = await outbox();
    const code = queued?.message?.code;
    if (code === undefined) throw new Error("no code queued");

    const report = await dispatcher().drain();

    expect(report).toEqual({
      sent: 1,
      retried: 0,
      failed: 0,
      expired: 0,
      superseded: 0,
      deferred: 0,
    });
    expect(smtp.received).toHaveLength(1);
    const [mail] = smtp.received;
    expect(mail?.to).toBe("ada@example.com");
    expect(mail?.subject).toBe("Verify your email for Acme");
    expect(mail?.text).toContain(code);
    expect(mail?.text).toContain("This code expires in 10 minutes.");
    expect(mail?.html).toContain(code);
    const [row] = await outbox();
    expect(row).toMatchObject({ status: "SENT", payload: null, attempts: 1, lastError: null });
    expect(row?.sentAt).toEqual(T0);
    expect(logsMention(logs, code)).toBe(false);
    expect(logs.some((line) => JSON.stringify(line.fields).includes(row?.id ?? "?"))).toBe(true);

    expect(await dispatcher().drain()).toMatchObject({ sent: 0 });
    expect(smtp.received).toHaveLength(1);
  });

  it("renders each email in the language its payload names (the account's), else the default", async () => {
    const german = createTestService(database, { clock: clock.now, locales: ["en", "de"] });
    await german.register({ email: "greta@example.com", password: PASSWORD, locale: "de" });
    await german.register({ email: "ada@example.com", password: PASSWORD });

    expect(await dispatcher().drain()).toMatchObject({ sent: 2 });

    const byRecipient = new Map(smtp.received.map((mail) => [mail.to, mail]));
    const greta = byRecipient.get("greta@example.com");
    expect(greta?.subject).toBe("Bestätige deine E-Mail-Adresse für Acme");
    expect(greta?.text).toContain("Dieser Code ist 10 Minuten lang gültig.");
    expect(greta?.html).toContain('lang="de"');
    expect(byRecipient.get("ada@example.com")?.subject).toBe("Verify your email for Acme");
  });

  it("never sends an expired code: EXPIRED, payload scrubbed, nothing arrives", async () => {
    await service().register({ email: "late@example.com", password: PASSWORD });
    clock.advanceSeconds(CODE_TTL_SECONDS);

    const report = await dispatcher().drain();

    expect(report).toMatchObject({ sent: 0, expired: 1 });
    const [row] = await outbox();
    expect(row).toMatchObject({ status: "EXPIRED", payload: null });
    expect(smtp.received).toHaveLength(0);
  });

  it("does not send a replaced code: the first row SUPERSEDED, only the new code arrives", async () => {
    const otp = service();
    await otp.register({ email: "twice@example.com", password: PASSWORD });
    clock.advanceSeconds(5);
    await otp.resendCode({ email: "twice@example.com", codeType: "VERIFICATION" });
    const [first, second] = await outbox();
    const oldCode = first?.message?.code;
    const newCode = second?.message?.code;
    if (oldCode === undefined || newCode === undefined) throw new Error("codes not queued");

    const report = await dispatcher().drain();

    expect(report).toMatchObject({ sent: 1, superseded: 1 });
    const rows = await outbox();
    expect(rows.map((row) => [row.id, row.status, row.payload])).toEqual([
      [first?.id, "SUPERSEDED", null],
      [second?.id, "SENT", null],
    ]);
    expect(smtp.received).toHaveLength(1);
    expect(smtp.received[0]?.text).toContain(newCode);
    expect(smtp.received[0]?.text).not.toContain(oldCode);
  });

  it("settles the decoy a request for nobody queued in its claim: never opened, never sent, never counted", async () => {
    const otp = service();
    // A code for an address without an account, and one a verified account may not get.
    await otp.resendCode({ email: "nobody@example.com" });
    await otp.requestPasswordReset({ email: "nobody@example.com" });
    const queued = await listOutbox(database.db);
    expect(queued.map((row) => [row.kind, row.status, row.payload === null])).toEqual([
      [NO_RECIPIENT_KIND, "PENDING", false],
      [NO_RECIPIENT_KIND, "PENDING", false],
    ]);
    // Sealed with a key no one holds: not even the server's secret opens it.
    const sealed = queued[0]?.payload;
    if (sealed === null || sealed === undefined) throw new Error("no payload");
    expect(() =>
      openOutboxPayload(deriveKeys(TEST_SECRET).outboxEncryption, queued[0]?.id ?? "", sealed),
    ).toThrow();

    const report = await dispatcher().drain();

    expect(report).toMatchObject({ sent: 0, superseded: 0, failed: 0 });
    const settled = await listOutbox(database.db);
    expect(settled.map((row) => [row.status, row.payload])).toEqual([
      ["SUPERSEDED", null],
      ["SUPERSEDED", null],
    ]);
    expect(smtp.received).toHaveLength(0);
    // No "code replaced" line for what was never a code.
    expect(logs.map((line) => line.message)).not.toContain(
      "outbox: code replaced or used before delivery; not sent",
    );
  });

  it("gives a permanently rejected email (550) up at once: FAILED, payload scrubbed", async () => {
    await service().register({ email: "bounce@example.com", password: PASSWORD });
    await service().register({ email: "fine@example.com", password: PASSWORD });

    const report = await dispatcher().drain();

    expect(report).toMatchObject({ sent: 1, failed: 1, retried: 0 });
    const rows = await outbox();
    const bounced = rows.find((row) => row.status === "FAILED");
    expect(bounced).toMatchObject({ attempts: 1, payload: null });
    expect(bounced?.lastError).toMatch(/550/);
    expect(rows.every((row) => row.payload === null)).toBe(true);
    expect(smtp.received.map((mail) => mail.to)).toEqual(["fine@example.com"]);
    expect(logs.some((line) => line.level === "error" && "outboxId" in line.fields)).toBe(true);
  });

  it("fails a payload it cannot decrypt, with a clear error, without sending", async () => {
    await service().register({ email: "sealed@example.com", password: PASSWORD });

    const report = await dispatcher({
      secret: "a-different-secret-than-the-service-used-0123",
    }).drain();

    expect(report).toMatchObject({ failed: 1, sent: 0, retried: 0 });
    const [row] = await outbox();
    expect(row).toMatchObject({ status: "FAILED", payload: null, attempts: 1 });
    expect(row?.lastError).toMatch(/cannot be decrypted/);
    expect(smtp.received).toHaveLength(0);
  });

  it("retries a temporary failure with backoff, then gives up after maxAttempts", async () => {
    await smtp.stop();
    await service().register({ email: "patient@example.com", password: PASSWORD });
    const [queued] = await outbox();
    const code = queued?.message?.code ?? "?";
    const delivery = dispatcher({ maxAttempts: 3, random: () => 0.5 });

    expect(await delivery.drain()).toMatchObject({ retried: 1, sent: 0, failed: 0 });
    let [row] = await outbox();
    expect(row).toMatchObject({ status: "PENDING", attempts: 1 });
    expect(row?.payload).not.toBeNull();
    expect(row?.lastError).toMatch(/127\.0\.0\.1/);
    expect(row?.availableAt).toEqual(new Date(T0.getTime() + retryDelayMs(1, 0.5)));

    // Not due yet: nothing happens.
    expect(await delivery.drain()).toMatchObject({ retried: 0, sent: 0, failed: 0 });

    clock.advanceSeconds(1);
    expect(await delivery.drain()).toMatchObject({ retried: 1 });
    [row] = await outbox();
    expect(row).toMatchObject({ status: "PENDING", attempts: 2 });
    expect(row?.availableAt).toEqual(new Date(clock.now().getTime() + retryDelayMs(2, 0.5)));

    clock.advanceSeconds(2);
    expect(await delivery.drain()).toMatchObject({ failed: 1, retried: 0 });
    [row] = await outbox();
    expect(row).toMatchObject({ status: "FAILED", attempts: 3, payload: null });
    expect(row?.lastError).toMatch(/gave up after 3 attempts/);
    expect(logsMention(logs, code)).toBe(false);
  });

  it("sends a row whose dispatcher died mid-claim once the lease has run out", async () => {
    await service().register({ email: "orphan@example.com", password: PASSWORD });
    // A dispatcher claims the row and dies before settling it.
    await claimDueEmails(database.db, { now: clock.now(), limit: 10, leaseSeconds: 60 });

    const delivery = dispatcher({ leaseSeconds: 60 });
    expect(await delivery.drain()).toMatchObject({ sent: 0 });
    clock.advanceSeconds(60);
    expect(await delivery.drain()).toMatchObject({ sent: 1 });

    const [row] = await outbox();
    expect(row).toMatchObject({ status: "SENT", attempts: 2, payload: null });
    expect(smtp.countFor("orphan@example.com")).toBe(1);
  });

  it("keeps rows PENDING while SMTP is down, then delivers each exactly once when it returns", async () => {
    const port = smtp.port;
    await smtp.stop();
    const otp = service(true);
    const recipients = ["one@example.com", "two@example.com", "three@example.com"];
    for (const email of recipients) await otp.register({ email, password: PASSWORD });

    const delivery = dispatcher({
      clock: undefined,
      backoff: { baseMs: 100, capMs: 400 },
      maxAttempts: 1_000,
      idlePollMs: 60_000,
    });
    await delivery.start();

    // Several failed attempts each, with the error recorded and the payload kept.
    const down = await waitFor("every row to fail at least twice", async () => {
      const rows = await outbox();
      return rows.length === 3 && rows.every((row) => row.attempts >= 2) && rows;
    });
    for (const row of down) {
      expect(row.status).toBe("PENDING");
      expect(row.payload).not.toBeNull();
      expect(row.lastError).toMatch(new RegExp(`127\\.0\\.0\\.1:${port}`));
    }
    expect(smtp.received).toHaveLength(0);

    await smtp.start();
    expect(smtp.port).toBe(port);
    await waitFor("every row to be SENT", async () =>
      (await outbox()).every((row) => row.status === "SENT"),
    );
    await delivery.stop();

    for (const email of recipients) expect(smtp.countFor(email)).toBe(1);
    expect(smtp.received).toHaveLength(3);
    const rows = await outbox();
    expect(rows.every((row) => row.payload === null && row.lastError === null)).toBe(true);
  });

  it("wakes within milliseconds when the service queues an email (LISTEN/NOTIFY)", async () => {
    const otp = service(true);
    const delivery = dispatcher({ clock: undefined, idlePollMs: 60_000 });
    await delivery.start();

    // The first email also covers the loop's first pass; the second finds it asleep.
    await otp.register({ email: "first@example.com", password: PASSWORD });
    await waitFor("the first email", () => smtp.countFor("first@example.com") === 1, {
      timeoutMs: 10_000,
    });
    await waitFor("the outbox to settle", async () =>
      (await outbox()).every((row) => row.status === "SENT"),
    );

    await otp.register({ email: "second@example.com", password: PASSWORD });
    const queuedAt = performance.now();
    await waitFor("the second email", () => smtp.countFor("second@example.com") === 1, {
      timeoutMs: 2_000,
      intervalMs: 5,
    });
    const latencyMs = performance.now() - queuedAt;
    expect(latencyMs).toBeLessThan(2_000);
    console.info(`[delivery] ${backend}: queued to delivered in ${latencyMs.toFixed(0)} ms`);
  });

  it("logs a database error in the loop and carries on", async () => {
    let failuresLeft = 3;
    const flaky = {
      listen: database.listen,
      db: {
        execute: (query: Parameters<typeof database.db.execute>[0]) =>
          failuresLeft-- > 0
            ? Promise.reject(new Error("connection terminated unexpectedly"))
            : database.db.execute(query),
      } as unknown as typeof database.db,
    };
    await service(true).register({ email: "steady@example.com", password: PASSWORD });

    const delivery = dispatcher({ database: flaky, clock: undefined, errorRetryMs: 20 });
    await delivery.start();
    await waitFor("the email despite the errors", () => smtp.countFor("steady@example.com") === 1);

    const errors = logs.filter((line) => line.message.includes("delivery loop failed"));
    expect(errors.length).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(errors[0]?.fields)).toMatch(/connection terminated/);
  });

  it("settles a burst of sends with fewer statements than emails, every row SENT", async () => {
    const otp = service();
    const recipients = Array.from({ length: 30 }, (_, i) => `burst${i}@example.com`);
    for (const email of recipients) await otp.register({ email, password: PASSWORD });
    const { counted, counts } = countingSettles();
    const { transport, delivered } = memoryTransport();

    const report = await dispatcher({
      database: counted,
      transport,
      batchSize: 30,
      concurrency: 10,
    }).drain();

    expect(report).toEqual({
      sent: 30,
      retried: 0,
      failed: 0,
      expired: 0,
      superseded: 0,
      deferred: 0,
    });
    expect([...delivered].sort()).toEqual([...recipients].sort());
    expect(counts.settleStatements).toBeGreaterThan(0);
    expect(counts.settleStatements).toBeLessThan(recipients.length);
    console.info(
      `[delivery] ${backend}: 30 sends settled by ${counts.settleStatements} statements`,
    );
    const rows = await outbox();
    expect(rows).toHaveLength(30);
    for (const row of rows) {
      expect(row).toMatchObject({ status: "SENT", payload: null, attempts: 1, sentAt: T0 });
    }
    expect(logs.filter((line) => line.message === "outbox: email sent")).toHaveLength(30);
  });

  it("retries a failing settle statement and sends nothing twice", async () => {
    const otp = service();
    const recipients = ["r1@example.com", "r2@example.com", "r3@example.com", "r4@example.com"];
    for (const email of recipients) await otp.register({ email, password: PASSWORD });
    const { counted, counts } = countingSettles(3);
    const { transport, delivered } = memoryTransport();
    const delivery = dispatcher({ database: counted, transport, concurrency: 4 });

    expect(await delivery.drain()).toMatchObject({ sent: 4, retried: 0, failed: 0 });

    // One statement for the four rows: failed three times, then settled them all.
    expect(counts).toEqual({ settleStatements: 4, failed: 3 });
    const rows = await outbox();
    expect(rows.every((row) => row.status === "SENT" && row.payload === null)).toBe(true);
    expect(logs.some((line) => line.message.includes("could not settle"))).toBe(false);
    clock.advanceSeconds(120); // past any lease: nothing is left to claim again
    expect(await delivery.drain()).toMatchObject({ sent: 0 });
    expect([...delivered].sort()).toEqual(recipients);
  });

  it("leaves a sent row to its lease when the settle statement keeps failing", async () => {
    await service().register({ email: "unsettled@example.com", password: PASSWORD });
    const { counted, counts } = countingSettles(5);

    const report = await dispatcher({ database: counted, leaseSeconds: 60 }).drain();

    // The first try and 4 retries, then the row is neither counted nor settled.
    expect(counts.settleStatements).toBe(5);
    expect(report).toMatchObject({ sent: 0, retried: 0, failed: 0 });
    expect(smtp.countFor("unsettled@example.com")).toBe(1);
    const [row] = await outbox();
    expect(row).toMatchObject({ status: "PENDING", attempts: 1, sentAt: null });
    expect(row?.availableAt).toEqual(new Date(T0.getTime() + 60_000));
    const error = logs.find((line) => line.message === "outbox: could not settle the row");
    expect(error?.fields).toMatchObject({
      outboxId: row?.id,
      err: "connection terminated unexpectedly",
    });
  });

  it("stop() waits for the claimed rows and start() can run again", async () => {
    const otp = service(true);
    const delivery = dispatcher({ clock: undefined, idlePollMs: 60_000 });
    await delivery.start();
    await otp.register({ email: "before@example.com", password: PASSWORD });
    await waitFor("the first email", () => smtp.countFor("before@example.com") === 1);
    await delivery.stop();

    await otp.register({ email: "while-stopped@example.com", password: PASSWORD });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(smtp.countFor("while-stopped@example.com")).toBe(0);

    await delivery.start();
    await waitFor(
      "the email queued while stopped",
      () => smtp.countFor("while-stopped@example.com") === 1,
    );
  });

  it("keeps no more sends in flight than the transport carries at once", async () => {
    const smtpTransport = smtpTransportTo(smtp);
    cleanups.push(() => smtpTransport.close());
    let inFlight = 0;
    let most = 0;
    const transport = {
      maxConcurrentSends: 2,
      async send(mail: Parameters<typeof smtpTransport.send>[0]) {
        inFlight += 1;
        most = Math.max(most, inFlight);
        try {
          await new Promise((resolve) => setTimeout(resolve, 5));
          return await smtpTransport.send(mail);
        } finally {
          inFlight -= 1;
        }
      },
    };
    const otp = service();
    for (let i = 0; i < 12; i++) {
      await otp.register({ email: `user${i}@example.com`, password: PASSWORD });
    }
    expect(await dispatcher({ transport }).drain()).toMatchObject({ sent: 12 });
    expect(most).toBe(2);
  });
}

/** The text of a Drizzle `sql` statement without its parameters (to recognise it in a wrapper). */
function statementText(query: unknown): string {
  const chunks = (query as { queryChunks?: unknown[] }).queryChunks ?? [];
  return chunks
    .flatMap((chunk) => {
      const value = (chunk as { value?: unknown } | null)?.value;
      return Array.isArray(value) ? value.filter((part) => typeof part === "string") : [];
    })
    .join("?");
}
