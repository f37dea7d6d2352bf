/**
 * PostgreSQL fails over under load and nothing acknowledged is lost. A pg_auto_failover
 * formation (a monitor, a primary and a synchronous secondary, started here on free
 * ports), two API processes (DELIVERY=off) and a dispatcher on a multi-host DATABASE_URL
 * with target_session_attrs=read-write, and the fleet's traffic. First a planned
 * switchover, then a SIGKILL of the new primary's postmaster (its keeper restarts it in
 * place), then the primary node lost: its keeper and postmaster SIGKILLed together, so the
 * monitor promotes the synchronous secondary; the lost node then rejoins as a secondary.
 * Afterwards: every
 * verification answered 200 is verified in the database; every code answered as sent was
 * delivered or superseded; one live code per pair; requests during each switch answered
 * 503 with Retry-After, none 500, none past the deadline; the processes recovered without
 * a restart; and their metrics count the 503s.
 */
import {
  checkInvariants,
  NO_VIOLATIONS,
  type ScenarioDatabase,
  violationsOf,
} from "@otp/reliability/database";
import { RUN_SECRETS, SERVER_URL } from "@otp/reliability/environment";
import { waitFor } from "@otp/reliability/http";
import { createScenario, type Scenario } from "@otp/reliability/scenario";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type FleetProcess,
  metricValue,
  scrape,
  startDispatcher,
  startFleetApi,
} from "../src/fleet.js";
import {
  FORMATION_DATABASE,
  type Formation,
  formationAvailable,
  startFormation,
} from "../src/formation.js";
import { freePort } from "../src/system.js";
import {
  nextClientIp,
  send,
  startTraffic,
  type Target,
  type TrafficRecord,
} from "../src/traffic.js";

const LOAD_MS = 4_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The formation's database as the harness's scenario database (the test's own pool is small). */
function formationDatabase(formation: Formation): () => Promise<ScenarioDatabase> {
  return async () => {
    // A (dummy, trust-auth) password the log scan looks for; the URL names several hosts,
    // which URL() does not parse.
    const url = formation.url.replace(
      "postgres://postgres@",
      `postgres://postgres:${RUN_SECRETS.databasePassword}@`,
    );
    // Short-lived connections, so the test's own reads follow the primary too.
    const sql = postgres(formation.url, { max: 2, idle_timeout: 1, onnotice: () => {} });
    return {
      url,
      host: "127.0.0.1",
      port: formation.nodes[0]?.port ?? 0,
      name: FORMATION_DATABASE,
      sql,
      urlVia: () => url,
      async close() {
        await sql.end({ timeout: 2 });
      },
    };
  };
}

/** A statement on the current primary, on a connection of its own. */
async function onPrimary<T>(
  formation: Formation,
  work: (sql: postgres.Sql) => Promise<T>,
): Promise<T> {
  const sql = postgres(formation.url, { max: 1, onnotice: () => {} });
  try {
    return await work(sql);
  } finally {
    await sql.end({ timeout: 2 });
  }
}

/**
 * Waits until the traffic has had 20 successful answers to requests sent after `since`
 * and after the last 503 (both processes back on the writable primary).
 */
async function recovered(records: readonly TrafficRecord[], since: number): Promise<void> {
  await waitFor(
    "the traffic to recover",
    () => {
      const after = records.filter((r) => r.startedAt >= since);
      const last503 = Math.max(
        since,
        ...after.filter((r) => r.status === 503).map((r) => r.endedAt),
      );
      return (
        after.filter((r) => r.startedAt > last503 && r.status > 0 && r.status < 300).length >= 20
      );
    },
    { timeoutMs: 120_000, intervalMs: 200 },
  );
}

interface Window {
  name: string;
  startedAt: number;
  settledAt: number;
}

describe.skipIf(SERVER_URL === undefined || !formationAvailable())(
  "PostgreSQL failover under load (pg_auto_failover)",
  () => {
    let formation: Formation;
    let s: Scenario;
    const apis: Array<{ process: FleetProcess; label: string; metricsUrl: string }> = [];
    let records: TrafficRecord[] = [];
    const windows: Window[] = [];
    const figures: Record<string, unknown> = {};
    let verifiedAnswered200: string[] = [];

    beforeAll(async () => {
      const started = performance.now();
      formation = await startFormation();
      figures.formationStartMs = Math.round(performance.now() - started);
      s = await createScenario("failover", { database: formationDatabase(formation) });
      for (const label of ["api-1", "api-2"]) {
        const port = await freePort();
        const process = await startFleetApi(s, label, {
          RATE_LIMIT_ENABLED: "false",
          METRICS_PORT: String(port),
        });
        apis.push({ process, label, metricsUrl: `http://127.0.0.1:${port}` });
      }
      await startDispatcher(s, "dispatcher");
    }, 300_000);

    afterAll(async () => {
      if (s !== undefined) s.figures.failover = figures;
      await s?.close();
      await formation?.stop();
    });

    it("a planned switchover, a SIGKILL of the primary's postmaster (restarted in place), then the primary node lost (failed over), under load: 503 with Retry-After during each, then recovery without a restart", async () => {
      const targets: Target[] = apis.map((a) => ({
        label: a.label,
        url: a.process.url,
        alive: () => a.process.isRunning(),
      }));
      const traffic = startTraffic(s, () => targets, { workers: 4, label: "failover" });
      try {
        await sleep(LOAD_MS);
        let startedAt = performance.now();
        await formation.switchover();
        const afterSwitchover = await formation.settled();
        windows.push({ name: "switchover", startedAt, settledAt: performance.now() });
        await recovered(traffic.records, startedAt);
        await sleep(LOAD_MS);
        startedAt = performance.now();
        formation.killPostmaster(afterSwitchover);
        // The keeper restarts it, or the monitor fails over to the secondary: either way the
        // formation settles with a primary and a secondary again.
        await sleep(2_000);
        const afterKill = await formation.settled(180_000);
        windows.push({ name: "postmaster killed", startedAt, settledAt: performance.now() });
        await recovered(traffic.records, startedAt);
        await sleep(LOAD_MS);
        // The primary node lost (keeper and postmaster together): nothing restarts it, the
        // monitor finds it gone and promotes the synchronous secondary.
        // The primary now, as the monitor reports it settled (not the one the last case ended
        // with: the monitor may have moved it since).
        const lost = await formation.settled();
        figures.failureDetection = await formation.failureDetection();
        startedAt = performance.now();
        await formation.loseNode(lost);
        const promoted = await formation.promotedOver(lost);
        const promotedAt = performance.now();
        windows.push({ name: "primary lost", startedAt, settledAt: promotedAt });
        await recovered(traffic.records, startedAt);
        await sleep(LOAD_MS);
        // The lost node comes back as a secondary (under load, off the measured window).
        const rejoinStartedAt = performance.now();
        formation.restartNode(lost);
        const afterRejoin = await formation.settled(180_000);
        figures.lostNodeRejoinedMs = Math.round(performance.now() - rejoinStartedAt);
        figures.primaries = {
          afterSwitchover: afterSwitchover.name,
          afterPostmasterKill: afterKill.name,
          lost: lost.name,
          promoted: promoted.name,
          afterRejoin: afterRejoin.name,
        };
        // The loss was failed over, not repaired in place.
        expect(promoted.name).not.toBe(lost.name);
        expect(afterRejoin.name).toBe(promoted.name);
      } finally {
        records = await traffic.stop();
      }
      verifiedAnswered200 = records
        .filter((r) => r.operation === "verify-right" && r.status === 200)
        .map((r) => r.email);

      const windowFigures = windows.map((w, i) => {
        const end = windows[i + 1]?.startedAt ?? Number.POSITIVE_INFINITY;
        const inWindow = records.filter((r) => r.startedAt >= w.startedAt && r.startedAt < end);
        const unavailable = records.filter(
          (r) => r.status === 503 && r.endedAt >= w.startedAt && r.endedAt < end,
        );
        const lastUnavailable = Math.max(w.startedAt, ...unavailable.map((r) => r.endedAt));
        const ends = inWindow.map((r) => r.endedAt).sort((a, b) => a - b);
        const longestSilenceMs = Math.round(
          Math.max(0, ...ends.map((end, k) => end - (ends[k - 1] ?? w.startedAt))),
        );
        const firstSuccessAfter = records.find(
          (r) => r.status < 300 && r.status > 0 && r.startedAt >= lastUnavailable,
        );
        return {
          name: w.name,
          // Switchover: settled as primary + secondary; postmaster killed: the same; primary
          // lost: the secondary promoted.
          formationSettledMs: Math.round(w.settledAt - w.startedAt),
          requests: inWindow.length,
          answered503: unavailable.length,
          lastUnavailableMs: Math.round(lastUnavailable - w.startedAt),
          longestSilenceMs,
          recoveredMs:
            firstSuccessAfter === undefined
              ? null
              : Math.round(firstSuccessAfter.endedAt - w.startedAt),
        };
      });
      const tally: Record<string, number> = {};
      for (const r of records) {
        const key = `${r.operation} ${r.status}${r.errorCode === null ? "" : ` ${r.errorCode}`}`;
        tally[key] = (tally[key] ?? 0) + 1;
      }
      Object.assign(figures, {
        requests: records.length,
        outcomes: tally,
        windows: windowFigures,
        slowestAnswerMs: Math.round(Math.max(...records.map((r) => r.endedAt - r.startedAt))),
      });
      console.log(`[failover] ${JSON.stringify(figures)}`);

      // Nothing but 503 among the 5xx, each with Retry-After; every request answered, none
      // past the deadline by much (1.5 s, plus the time to write the answer).
      expect(records.filter((r) => r.status >= 500 && r.status !== 503)).toEqual([]);
      expect(records.filter((r) => r.status === 503 && r.retryAfter === null)).toEqual([]);
      expect(records.filter((r) => r.status === 0)).toEqual([]);
      expect(records.every((r) => r.endedAt - r.startedAt < 5_000)).toBe(true);
      // Recovered without a restart: each window ends with successful answers.
      for (const w of windowFigures) expect(w.recoveredMs, w.name).not.toBeNull();
      // The lost primary was an outage the clients saw, answered 503 until the promotion.
      expect(windowFigures.find((w) => w.name === "primary lost")?.answered503).toBeGreaterThan(0);
      // And afterwards, both processes answer every kind of request again.
      for (const a of apis) {
        const email = s.address(`after-${a.label}`);
        const answer = await send(
          a.process.url,
          "rest",
          "register",
          { email, password: s.password() },
          nextClientIp(),
        );
        expect(answer.status, `${a.label} registers after the failovers`).toBe(201);
        const code = await s.liveCode(email, { timeoutMs: 20_000 });
        const verified = await send(
          a.process.url,
          "trpc",
          "verify",
          { email, code },
          nextClientIp(),
        );
        expect(verified.status).toBe(200);
        verifiedAnswered200.push(email);
      }
    });

    it("nothing acknowledged was lost: every verification answered 200 is verified; every code sent was delivered or superseded", async () => {
      // Rows a failover interrupted between send and settle wait out their lease: move it on.
      const leasesMovedOn = await onPrimary(formation, async (sql) => {
        const [moved] = await sql<Array<{ n: number }>>`
        WITH moved AS (UPDATE email_outbox SET available_at = now()
          WHERE status = 'PENDING' AND available_at > now() RETURNING 1)
        SELECT count(*)::int AS n FROM moved`;
        await sql`SELECT pg_notify('email_outbox', '')`;
        return moved?.n ?? 0;
      });
      const outbox = await waitFor(
        "every email to settle",
        () =>
          onPrimary(formation, async (sql) => {
            const rows = await sql<Array<{ status: string; n: number }>>`
            SELECT status::text AS status, count(*)::int AS n FROM email_outbox GROUP BY status`;
            const byStatus: Record<string, number> = Object.fromEntries(
              rows.map((r) => [r.status, r.n]),
            );
            return (byStatus.PENDING ?? 0) === 0 ? byStatus : null;
          }),
        { timeoutMs: 60_000, intervalMs: 500 },
      );
      const [unverified] = await onPrimary(
        formation,
        (sql) => sql<Array<{ n: number }>>`
        SELECT count(*)::int AS n FROM unnest(${verifiedAnswered200.map((e) => e.toLowerCase())}::text[]) AS e(email)
        WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.email = e.email AND u.is_verified)`,
      );
      // Every live code reached its owner (an arrival's HMAC matches it).
      const live = await onPrimary(
        formation,
        (sql) => sql<Array<{ email: string }>>`
        SELECT u.email FROM passcodes p JOIN users u ON u.id = p.user_id
        WHERE NOT p.is_used AND p.code_type = 'VERIFICATION'`,
      );
      let undelivered = 0;
      for (const row of live) {
        const code = await s.liveCode(row.email, { timeoutMs: 5_000 }).catch(() => null);
        if (code === null) undelivered += 1;
      }
      const duplicates = [...s.sink.countsByMessage().values()].filter((n) => n > 1).length;
      const invariants = await onPrimary(formation, (sql) => checkInvariants(sql));
      Object.assign(figures, {
        verificationsAnswered200: verifiedAnswered200.length,
        verifiedAnswered200ButNotVerified: unverified?.n,
        liveCodes: live.length,
        liveCodesUndelivered: undelivered,
        outbox,
        leasesMovedOn,
        emailsReceived: s.sink.arrivals.length,
        duplicates,
      });
      console.log(`[failover] ${JSON.stringify(figures)}`);
      expect(unverified?.n).toBe(0);
      expect(undelivered).toBe(0);
      expect(outbox.FAILED ?? 0).toBe(0);
      expect(outbox.EXPIRED ?? 0).toBe(0);
      expect(violationsOf(invariants)).toEqual(NO_VIOLATIONS);
    });

    it("the metrics show the outage: each process counts exactly the 503s it answered, and its pool's recycles", async () => {
      const counted: Record<string, { answered503: number; counted: number; recycles: number }> =
        {};
      for (const a of apis) {
        const text = await scrape(a.metricsUrl);
        counted[a.label] = {
          answered503: records.filter((r) => r.api === a.label && r.status === 503).length,
          counted: metricValue(text, "otp_database_unavailable_total"),
          recycles: metricValue(text, 'otp_db_pool_recycles_total{pool="api"}'),
        };
      }
      figures.metrics = counted;
      for (const [label, c] of Object.entries(counted))
        expect(c.counted, label).toBe(c.answered503);
      expect(Object.values(counted).reduce((sum, c) => sum + c.counted, 0)).toBeGreaterThan(0);
    });
  },
);
