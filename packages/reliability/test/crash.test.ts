/**
 * Crash: the API process is killed with SIGKILL under load, twice, and
 * started again each time, on the same database and the same real SMTP
 * server. Afterwards: the invariants hold; no outbox row is lost (every row
 * ever seen still exists and ends SENT, or SUPERSEDED because its code was
 * replaced); every registration that was answered 2xx is complete; every live
 * code reached its owner; and no message arrived twice.
 *
 * A row the dead process had claimed waits for its 60 s lease before another
 * dispatcher may take it; the test moves those leases to "now" instead of
 * sleeping a minute (the same thing the clock would do), then wakes delivery.
 */
import { deriveKeys, hashCode, openOutboxPayload } from "@otp/core/internal";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApiProcess } from "../src/api-process.js";
import {
  NO_VIOLATIONS,
  releaseOutboxLeases,
  violationsOf,
  waitForOutboxSettled,
} from "../src/database.js";
import { RUN_SECRETS, SERVER_URL } from "../src/environment.js";
import { round } from "../src/http.js";
import { type LoadRecord, startLoad, tally } from "../src/load.js";
import { createScenario, type Scenario } from "../src/scenario.js";

const KILLS = 2;
const LOAD_MS = 2_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(SERVER_URL === undefined)(
  "crash: SIGKILL under load (PostgreSQL, real SMTP)",
  () => {
    let s: Scenario;
    let api: ApiProcess | null = null;
    let records: LoadRecord[] = [];
    let duplicateMessages: Array<[string, number]> = [["not measured", 0]];
    let duplicatesNotInFlightAtAKill = -1;
    const seenOutboxIds = new Set<string>();
    /** "recipient code" of every row seen while PENDING (payloads decrypted with the API's key). */
    const messageOfRow = new Map<string, string>();
    /** Rows a killed process had claimed and not settled. */
    const claimedAtKill = new Set<string>();
    const atKill: Array<{ claimedPending: number; pending: number; outbox: number }> = [];
    const outboxKey = deriveKeys(RUN_SECRETS.appSecret).outboxEncryption;
    let observing = true;
    let observer: Promise<void> = Promise.resolve();

    const env = { RATE_LIMIT_ENABLED: "false", OTP_SEND_LIMIT: "1000" };

    const outboxSnapshot = async () => {
      const rows = await s.db.sql<
        Array<{ id: string; status: string; attempts: number; payload: Buffer | null }>
      >`
      SELECT id, status::text AS status, attempts, payload FROM email_outbox`;
      for (const row of rows) {
        seenOutboxIds.add(row.id);
        if (row.payload !== null && !messageOfRow.has(row.id)) {
          const message = openOutboxPayload(outboxKey, row.id, row.payload);
          messageOfRow.set(row.id, `${message.to} ${message.code ?? "-"}`);
        }
      }
      return rows;
    };

    beforeAll(async () => {
      s = await createScenario("crash");
      api = await s.startApi("api-1", env);
      observer = (async () => {
        while (observing) {
          await outboxSnapshot();
          await sleep(100);
        }
      })();
    });

    afterAll(async () => {
      observing = false;
      await observer;
      await s?.close();
    });

    it(`survives ${KILLS} SIGKILLs under load: nothing lost, nothing half done, every live code delivered`, async () => {
      const load = startLoad({
        target: () => (api?.isRunning() ? api.url : null),
        workers: 6,
        address: (label) => s.address(label),
        password: () => s.password(),
        maxRequests: 5_000,
      });
      const timeline: string[] = [];
      try {
        for (let kill = 1; kill <= KILLS; kill++) {
          await sleep(LOAD_MS);
          const victim = api as ApiProcess;
          await victim.kill(); // SIGKILL to the process group, mid-load
          const rows = await outboxSnapshot();
          for (const row of rows)
            if (row.status === "PENDING" && row.attempts > 0) claimedAtKill.add(row.id);
          atKill.push({
            outbox: rows.length,
            pending: rows.filter((r) => r.status === "PENDING").length,
            claimedPending: rows.filter((r) => r.status === "PENDING" && r.attempts > 0).length,
          });
          timeline.push(`kill ${kill}: ${load.records.length} requests so far`);
          api = await s.startApi(`api-${kill + 1}`, env);
        }
        await sleep(LOAD_MS);
      } finally {
        records = await load.stop();
      }
      s.figures.timeline = timeline;
      s.figures.load = { requests: records.length, outcomes: tally(records), kills: KILLS };
      s.figures.atKill = atKill;

      // No answer is only allowed for requests cut off by a kill; every answer is below 500.
      expect(records.filter((r) => r.status >= 500)).toEqual([]);
      expect(records.filter((r) => r.status === 0).length).toBeLessThanOrEqual(6 * KILLS);

      // Rows claimed by a dead process: move their lease on, and wake the live dispatcher.
      const leasesMovedOn = await releaseOutboxLeases(s.db);
      const settled = await waitForOutboxSettled(s.db, "every outbox row to settle", {
        timeoutMs: 30_000,
        intervalMs: 200,
      });
      observing = false;
      await observer;

      // Nothing lost: every row ever seen still exists.
      const existing = new Set(
        (await s.db.sql<Array<{ id: string }>>`SELECT id FROM email_outbox`).map((r) => r.id),
      );
      const missing = [...seenOutboxIds].filter((id) => !existing.has(id));

      // Every registration answered 2xx is complete (account, code, queued email).
      const registered = records
        .filter((r) => r.operation === "register" && r.status >= 200 && r.status < 300)
        .map((r) => r.email.toLowerCase());
      const complete = new Set(
        (
          await s.db.sql<Array<{ email: string }>>`
          SELECT u.email FROM users u
          JOIN passcodes p ON p.user_id = u.id AND p.code_type = 'VERIFICATION'
          JOIN email_outbox o ON o.passcode_id = p.id
          WHERE u.email = ANY(${registered})`
        ).map((r) => r.email),
      );
      const incomplete = registered.filter((email) => !complete.has(email));

      // A SUPERSEDED row never carries a live code; every live code's row was SENT.
      const [rows] = await s.db.sql<
        Array<{ supersededLive: number; liveUnsent: number; failed: number }>
      >`
      SELECT
        (SELECT count(*) FROM email_outbox o JOIN passcodes p ON p.id = o.passcode_id
          WHERE o.status = 'SUPERSEDED' AND NOT p.is_used)::int AS "supersededLive",
        (SELECT count(*) FROM passcodes p JOIN email_outbox o ON o.passcode_id = p.id
          WHERE NOT p.is_used AND o.status <> 'SENT')::int AS "liveUnsent",
        (SELECT count(*) FROM email_outbox WHERE status IN ('FAILED', 'EXPIRED'))::int AS failed`;

      // Every live code reached its owner: the HMAC of an arrival matches it.
      const key = deriveKeys(RUN_SECRETS.appSecret).codeHmac;
      const live = await s.db.sql<Array<{ email: string; user_id: string; code_hash: string }>>`
      SELECT u.email, p.user_id, p.code_hash FROM passcodes p JOIN users u ON u.id = p.user_id
      WHERE NOT p.is_used AND p.code_type = 'VERIFICATION'`;
      const undelivered = live.filter(
        (row) =>
          !s.sink
            .codesFor(row.email)
            .some(
              (code) =>
                hashCode(key, { userId: row.user_id, codeType: "VERIFICATION", code }) ===
                row.code_hash,
            ),
      );

      // Nothing twice: each (recipient, code) arrived once. A duplicate, if any, is
      // traced to its row: was it a row a killed process had claimed (sent, then
      // killed before it could record the send)?
      const duplicates = [...s.sink.countsByMessage().entries()].filter(([, n]) => n > 1);
      const rowOfMessage = new Map([...messageOfRow].map(([id, message]) => [message, id]));
      const duplicateRows = duplicates.map(([message]) => rowOfMessage.get(message));
      const duplicatesClaimedAtKill = duplicateRows.filter(
        (id) => id !== undefined && claimedAtKill.has(id),
      ).length;

      s.figures.outcome = {
        outbox: settled,
        rowsEverSeen: seenOutboxIds.size,
        missing: missing.length,
        leasesMovedOn,
        registrationsAnswered2xx: registered.length,
        incompleteRegistrations: incomplete.length,
        liveCodes: live.length,
        liveCodesUndelivered: undelivered.length,
        emailsReceived: s.sink.arrivals.length,
        duplicates: duplicates.length,
        duplicatesOfRowsClaimedAtAKill: duplicatesClaimedAtKill,
        rowsClaimedAtAKill: claimedAtKill.size,
        ...rows,
      };
      console.log(`[crash] ${JSON.stringify(s.figures.outcome)}`);

      duplicateMessages = duplicates;
      duplicatesNotInFlightAtAKill = duplicates.length - duplicatesClaimedAtKill;
      expect(missing).toEqual([]);
      expect(incomplete).toEqual([]);
      expect(rows).toEqual({ supersededLive: 0, liveUnsent: 0, failed: 0 });
      expect(undelivered.map((r) => r.email)).toEqual([]);
      expect(round(records.length)).toBeGreaterThan(50);
    });

    // Delivery is at-least-once: SMTP cannot take a message back, so a kill that falls
    // between a send and the commit that records it means the row is sent again after
    // its lease (with the same Message-ID). Nothing else may ever be sent twice.
    it("a message arrives twice only when a kill fell between its send and its record (at most once extra)", () => {
      const context = `duplicates ("recipient code", count): ${JSON.stringify(duplicateMessages)}; ${JSON.stringify(s.figures.outcome)}`;
      expect(duplicatesNotInFlightAtAKill, context).toBe(0);
      expect(
        duplicateMessages.every(([, n]) => n === 2),
        context,
      ).toBe(true);
      // The dispatcher's sends in flight follow the SMTP transport's pool (3 connections), so at
      // most that many, and never more than 4, can be caught in that window per kill.
      expect(duplicateMessages.length, context).toBeLessThanOrEqual(4 * KILLS);
    });

    it("the invariants hold; no secret in logs or answers; no plaintext code stored", async () => {
      const { invariants, plaintext, leaks } = await s.closingChecks();
      expect(violationsOf(invariants)).toEqual(NO_VIOLATIONS);
      expect(plaintext.hits).toEqual([]);
      expect(leaks.leaks).toEqual([]);
    });
  },
);
