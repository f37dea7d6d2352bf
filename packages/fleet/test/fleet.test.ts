/**
 * The fleet: two API processes (DELIVERY=off) and two dispatcher processes on one
 * PostgreSQL database, the per-IP limits in Redis, a real SMTP sink. Under registrations,
 * resends, right and wrong codes spread over both API processes, one API process and one
 * dispatcher are killed with SIGKILL in the middle of the burst. Afterwards: one live code
 * per (user, code type); the attempt budget exact across both processes; the per-IP limits
 * shared; every account's latest code delivered by the surviving dispatcher and usable; a
 * message sent twice only if it was in flight at the kill, with the same Message-ID; no
 * 5xx from the survivors.
 *
 * The dispatcher to be killed reaches the sink through a relay that, just before the kill,
 * withholds the sink's 250 to a finished message: so at least one email is always in flight
 * at the kill (accepted by the SMTP server, not recorded as sent), and is sent again.
 *
 * Rows the killed dispatcher had claimed wait for their 60 s lease before another may take
 * them; the test moves those leases to now (what the clock would do a minute later).
 */
import { randomBytes } from "node:crypto";
import {
  NO_VIOLATIONS,
  releaseOutboxLeases,
  violationsOf,
  waitForOutboxSettled,
} from "@otp/reliability/database";
import { SERVER_URL } from "@otp/reliability/environment";
import { type Answer, register, registrationCookieOf, waitFor } from "@otp/reliability/http";
import { createScenario, type Scenario } from "@otp/reliability/scenario";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FleetProcess, startDispatcher, startFleetApi } from "../src/fleet.js";
import { type SmtpHold, startSmtpHold } from "../src/smtp-hold.js";
import {
  nextClientIp,
  send,
  startTraffic,
  type Target,
  type TrafficRecord,
} from "../src/traffic.js";

const REDIS_URL = process.env.TEST_REDIS_URL || "redis://127.0.0.1:6379";
const BUDGET = 5;
const VERIFY_PER_MINUTE = 12;
const BURST_MS = 6_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(SERVER_URL === undefined)(
  "a fleet: two API processes, two dispatchers, SIGKILL mid-burst",
  () => {
    let s: Scenario;
    const apis: Array<FleetProcess & { label: string }> = [];
    const dispatchers: FleetProcess[] = [];
    let records: TrafficRecord[] = [];
    let killedApi = "";
    const claimedAtKill = new Set<string>();
    const figures: Record<string, unknown> = {};
    let replacement: FleetProcess | undefined;
    let relay: SmtpHold;
    const env = {
      REDIS_URL,
      RATE_LIMIT_REDIS_PREFIX: `otp-fleet-${randomBytes(4).toString("hex")}:`,
      RATE_LIMIT_VERIFY_PER_MINUTE: String(VERIFY_PER_MINUTE),
      TRUST_PROXY: "1",
      OTP_MAX_ATTEMPTS: String(BUDGET),
    };

    beforeAll(async () => {
      s = await createScenario("fleet");
      const [a, b] = await Promise.all([
        startFleetApi(s, "api-1", env),
        startFleetApi(s, "api-2", env),
      ]);
      apis.push(
        { ...(a as FleetProcess), label: "api-1" },
        { ...(b as FleetProcess), label: "api-2" },
      );
      relay = await startSmtpHold(s.sink.port);
      dispatchers.push(
        ...(await Promise.all([
          startDispatcher(s, "dispatcher-1", { SMTP_URL: relay.urlFor(s.sink.url) }),
          startDispatcher(s, "dispatcher-2"),
        ])),
      );
    });

    afterAll(async () => {
      s.figures.fleet = figures;
      await s?.close();
      await relay?.close();
    });

    it("under load, SIGKILL of one API process and one dispatcher: survivors answer no 5xx; every latest code delivered and usable", async () => {
      const targets: Target[] = apis.map((api, i) => ({
        label: api.label,
        url: api.url,
        alive: () => (apis[i] as FleetProcess).isRunning(),
      }));
      const traffic = startTraffic(s, () => targets, { workers: 3 });
      await sleep(BURST_MS);
      // The next message dispatcher-1 finishes is accepted by the sink, its answer withheld.
      relay.hold();
      const inFlight = await waitFor(
        "a message of dispatcher-1 accepted by the sink, its answer withheld",
        () => {
          const ids = new Set(relay.held);
          return s.sink.arrivals.some((a) => a.messageId !== null && ids.has(a.messageId))
            ? [...ids]
            : null;
        },
        { timeoutMs: 20_000, intervalMs: 10 },
      );
      const victim = apis[1] as FleetProcess & { label: string };
      killedApi = victim.label;
      await Promise.all([victim.kill(), (dispatchers[0] as FleetProcess).kill()]);
      // Requests sent to the victim until its exit was seen get no answer; none after.
      const exitSeenAt = performance.now();
      for (const row of await s.db.sql<Array<{ id: string }>>`
      SELECT id FROM email_outbox WHERE status = 'PENDING' AND attempts > 0`)
        claimedAtKill.add(row.id);
      // Their lease moved on at once, so the survivor sends them again before the traffic
      // could use or replace their codes.
      const leasesMovedOnAtKill = await releaseOutboxLeases(s.db);
      await sleep(BURST_MS);
      records = await traffic.stop();
      const accounts = [...traffic.accounts.values()];

      // The survivor, and the victim before its death, answered no 5xx; the only requests
      // without an answer are those the kill cut off.
      const survivors5xx = records.filter((r) => r.status >= 500);
      const noAnswer = records.filter((r) => r.status === 0);
      expect(survivors5xx).toEqual([]);
      expect(noAnswer.filter((r) => r.api !== killedApi || r.startedAt > exitSeenAt)).toEqual([]);

      // The killed dispatcher's claims: their lease moved on, the survivor delivers them.
      const leasesMovedOn = leasesMovedOnAtKill + (await releaseOutboxLeases(s.db));
      const outbox = await waitForOutboxSettled(s.db, "every email to settle", {
        timeoutMs: 60_000,
        intervalMs: 200,
      });

      // Every account's latest code reached its owner (the HMAC of an arrival matches the
      // live code), and is accepted by the surviving API process.
      const survivor = apis[0] as FleetProcess;
      // A right code whose answer the kill cut off may have been verified before the process
      // died: such an account has no live code left. Only those, and only when the database
      // says so.
      const cutOff = new Set(
        noAnswer.filter((r) => r.operation === "verify-right").map((r) => r.email),
      );
      const verifiedInDatabase = new Set(
        (
          await s.db.sql<Array<{ email: string }>>`
          SELECT email FROM users WHERE is_verified
            AND email = ANY(${[...cutOff].map((e) => e.toLowerCase())}::text[])`
        ).map((row) => row.email),
      );
      const verifiedUnanswered = accounts.filter(
        (a) => !a.verified && verifiedInDatabase.has(a.email.toLowerCase()),
      );
      const open = accounts.filter(
        (a) => !a.verified && !verifiedInDatabase.has(a.email.toLowerCase()),
      );
      let usable = 0;
      for (const account of open) {
        const code = await s.liveCode(account.email, { timeoutMs: 10_000 });
        const answer = await send(
          survivor.url,
          "rest",
          "verify",
          { email: account.email, code },
          nextClientIp(),
          account.cookie,
        );
        if (answer.status === 200) usable += 1;
      }
      expect(usable).toBe(open.length);

      // An email arrives twice only if it was in flight at the kill, both times with the
      // Message-ID derived from its row.
      const byMessage = new Map<string, Set<string | null>>();
      const counts = new Map<string, number>();
      for (const arrival of s.sink.arrivals) {
        const key = `${arrival.to} ${arrival.code}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
        byMessage.set(key, (byMessage.get(key) ?? new Set()).add(arrival.messageId));
      }
      const duplicates = [...counts.entries()].filter(([, n]) => n > 1);
      const duplicateIds = duplicates.map(([key]) => [...(byMessage.get(key) ?? [])]);
      const rowOf = (messageId: string | null | undefined) =>
        /^<([^@]+)@/.exec(messageId ?? "")?.[1];
      const notInFlight = duplicateIds.filter(
        (ids) => ids.length !== 1 || !claimedAtKill.has(rowOf(ids[0]) ?? ""),
      );
      // Each message held in flight at the kill: sent again, with the same Message-ID, unless
      // its code was used or replaced first (then the row is SUPERSEDED, not sent).
      const arrivalsOf = (messageId: string) =>
        s.sink.arrivals.filter((a) => a.messageId === messageId).length;
      const heldRows = await s.db.sql<Array<{ id: string; status: string }>>`
        SELECT id::text AS id, status::text AS status FROM email_outbox
        WHERE id = ANY(${inFlight.map((id) => rowOf(id) ?? "")}::uuid[])`;
      const heldOutcome = inFlight.map((messageId) => ({
        messageId,
        arrivals: arrivalsOf(messageId),
        status: heldRows.find((r) => r.id === rowOf(messageId))?.status,
      }));
      const heldSentTwice = heldOutcome.filter((h) => h.arrivals === 2);

      const tally: Record<string, number> = {};
      for (const r of records) {
        const key = `${r.operation} ${r.status}${r.errorCode === null ? "" : ` ${r.errorCode}`}`;
        tally[key] = (tally[key] ?? 0) + 1;
      }
      Object.assign(figures, {
        requests: records.length,
        byApi: Object.fromEntries(
          apis.map((a) => [a.label, records.filter((r) => r.api === a.label).length]),
        ),
        outcomes: tally,
        noAnswerAtKill: noAnswer.length,
        accounts: accounts.length,
        verifiedUnderLoad: accounts.length - open.length - verifiedUnanswered.length,
        verifiedByARequestTheKillCutOff: verifiedUnanswered.length,
        latestCodesVerifiedAfter: usable,
        rowsClaimedAtKill: claimedAtKill.size,
        leasesMovedOn,
        outbox,
        emailsReceived: s.sink.arrivals.length,
        duplicates: duplicates.length,
        duplicatesNotInFlightAtKill: notInFlight.length,
        heldInFlightAtKill: inFlight.length,
        heldSentTwice: heldSentTwice.length,
        heldSuperseded: heldOutcome.filter((h) => h.status === "SUPERSEDED").length,
      });
      console.log(`[fleet] ${JSON.stringify(figures)}`);
      // Every email sent twice was in flight at the kill, both times with one Message-ID.
      expect(notInFlight).toEqual([]);
      expect(duplicates.every(([, n]) => n === 2)).toBe(true);
      // And an email was in flight at the kill: the held one, sent twice (or superseded).
      expect(inFlight.length).toBeGreaterThan(0);
      for (const h of heldOutcome)
        expect(
          (h.arrivals === 2 && h.status === "SENT") || h.status === "SUPERSEDED",
          JSON.stringify(h),
        ).toBe(true);
      expect(records.length).toBeGreaterThan(60);
    });

    it(`the attempt budget is exact across both processes: of 40 parallel wrong guesses, exactly ${BUDGET} are compared`, async () => {
      const live = apis.filter((a) => a.isRunning());
      // The killed process is replaced, so both processes take the guesses.
      replacement = await startFleetApi(s, "api-3", env);
      const both = [live[0] as FleetProcess, replacement];
      const email = s.address("budget");
      const registered: Answer = await register(both[0]?.url ?? "", "rest", email, s.password());
      expect(registered.status).toBeLessThan(300);
      await s.liveCode(email);
      const guesses = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          send(
            (both[i % 2] as FleetProcess).url,
            i % 3 === 0 ? "trpc" : "rest",
            "verify",
            { email, code: "00000000" },
            nextClientIp(),
            registrationCookieOf(registered),
          ),
        ),
      );
      const byCode: Record<string, number> = {};
      for (const g of guesses)
        byCode[g.errorCode ?? String(g.status)] =
          (byCode[g.errorCode ?? String(g.status)] ?? 0) + 1;
      figures.parallelWrongGuesses = byCode;
      expect(byCode).toEqual({ OTP_INVALID: BUDGET, TOO_MANY_ATTEMPTS: 40 - BUDGET });
      const [row] = await s.db.sql<Array<{ failures: number }>>`
      SELECT a.failures FROM otp_attempts a JOIN users u ON u.id = a.user_id WHERE u.email = ${email}`;
      expect(row?.failures).toBe(BUDGET);
    });

    it(`the per-IP limits hold for the fleet: ${VERIFY_PER_MINUTE} checks a minute from one address, whichever process takes them`, async () => {
      const both = [apis[0] as FleetProcess, replacement as FleetProcess];
      const ip = "203.0.113.77";
      const answers: Answer[] = [];
      for (let i = 0; i < VERIFY_PER_MINUTE * 2; i++) {
        answers.push(
          await send(
            (both[i % 2] as FleetProcess).url,
            i % 2 === 0 ? "rest" : "trpc",
            "verify",
            { email: s.address(`ip${i}`), code: "00000000" },
            ip,
          ),
        );
      }
      // Alternating between the two processes: in memory each would allow the whole budget.
      const limited = answers.filter((a) => a.errorCode === "RATE_LIMITED").length;
      figures.perIpChecks = { sent: answers.length, refused: limited };
      expect(limited).toBe(VERIFY_PER_MINUTE);
    });

    it("the invariants hold (one live code per pair); no secret in logs or answers", async () => {
      const { invariants, plaintext, leaks } = await s.closingChecks();
      expect(violationsOf(invariants)).toEqual(NO_VIOLATIONS);
      expect(plaintext.hits).toEqual([]);
      expect(leaks.leaks).toEqual([]);
    });
  },
);
