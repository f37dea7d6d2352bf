/**
 * PgBouncer (Debian's 1.18) in transaction pooling between two API processes and a
 * dispatcher process and PostgreSQL. With DATABASE_PREPARED_STATEMENTS=false every
 * registration, delivery and verification works through it; LISTEN and the migrations
 * go to the server directly (DATABASE_DIRECT_URL). With prepared statements on, the same
 * traffic fails: the control that shows the setting is what makes it work.
 */
import { NO_VIOLATIONS, violationsOf } from "@otp/reliability/database";
import { SERVER_URL } from "@otp/reliability/environment";
import { type Answer, register, registrationCookieOf, verifyEmail } from "@otp/reliability/http";
import { createScenario, type Scenario } from "@otp/reliability/scenario";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FleetProcess, mapLimited, startDispatcher, startFleetApi } from "../src/fleet.js";
import { type PgBouncer, pgbouncerAvailable, startPgBouncer } from "../src/pgbouncer.js";

const ACCOUNTS = 40;
/**
 * Requests at once per step: each registration hashes a password (argon2id), and on a
 * shared two-core machine more at once can wait past the API's 1.5 s deadline (a 503
 * that measures the machine, not the bouncer).
 */
const AT_ONCE = 3;

describe.skipIf(SERVER_URL === undefined || !pgbouncerAvailable())(
  "PgBouncer in transaction pooling (two API processes, a dispatcher)",
  () => {
    let s: Scenario;
    let bouncer: PgBouncer;
    let apis: FleetProcess[] = [];

    beforeAll(async () => {
      s = await createScenario("pgbouncer");
      bouncer = await startPgBouncer({
        host: s.db.host,
        port: s.db.port,
        user: "postgres",
        poolSize: 3,
      });
      const env = {
        DATABASE_URL: bouncer.urlFor(s.db.url),
        DATABASE_DIRECT_URL: s.db.url,
        DATABASE_PREPARED_STATEMENTS: "false",
        RATE_LIMIT_ENABLED: "false",
      };
      apis = await Promise.all([startFleetApi(s, "api-1", env), startFleetApi(s, "api-2", env)]);
      await startDispatcher(s, "dispatcher", env);
    });

    afterAll(async () => {
      await bouncer?.stop();
      await s?.close();
    });

    it(`${ACCOUNTS} registrations, deliveries and verifications through it, none answered 5xx`, async () => {
      const accounts = Array.from({ length: ACCOUNTS }, (_, i) => ({
        email: s.address(`bouncer${i}`),
        password: s.password(),
        api: apis[i % 2] as FleetProcess,
      }));
      const registered = await mapLimited(accounts, AT_ONCE, (a, i) =>
        register(a.api.url, i % 2 === 0 ? "rest" : "trpc", a.email, a.password),
      );
      expect(registered.map((r) => r.status).filter((status) => status >= 300)).toEqual([]);
      const started = performance.now();
      const codes = await Promise.all(
        accounts.map((a) => s.liveCode(a.email, { timeoutMs: 30_000 })),
      );
      const deliveredInMs = Math.round(performance.now() - started);
      // Verified through the other API process than the one that registered.
      const verified: Answer[] = await mapLimited(accounts, AT_ONCE, (a, i) =>
        verifyEmail(
          (apis[(i + 1) % 2] as FleetProcess).url,
          i % 2 === 0 ? "trpc" : "rest",
          a.email,
          codes[i] as string,
          registrationCookieOf(registered[i] as Answer),
        ),
      );
      expect(verified.map((r) => r.status)).toEqual(accounts.map(() => 200));
      const pools = await bouncer.show("POOLS");
      const ours = pools.find((row) => row.database === s.db.name);
      // LISTEN holds a session: it must be on a direct connection, never on a pooled one.
      const [listening] = await s.db.sql<Array<{ n: number }>>`
        SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE datname = ${s.db.name} AND query ILIKE 'listen%'`;
      s.figures.pgbouncer = {
        accounts: ACCOUNTS,
        allDeliveredInMs: deliveredInMs,
        bouncerPool: ours,
        listeningSessions: listening?.n,
      };
      expect(listening?.n).toBeGreaterThanOrEqual(1);
      const { invariants } = await s.closingChecks();
      expect(violationsOf(invariants)).toEqual(NO_VIOLATIONS);
    });

    it("with prepared statements on, the same traffic fails through it (the setting is what makes it work)", async () => {
      const prepared = await startFleetApi(s, "api-prepared", {
        DATABASE_URL: bouncer.urlFor(s.db.url),
        DATABASE_DIRECT_URL: s.db.url,
        DATABASE_PREPARED_STATEMENTS: "true",
        RATE_LIMIT_ENABLED: "false",
      });
      const answers = await mapLimited(
        Array.from({ length: 24 }, (_, i) => i),
        6,
        (i) => register(prepared.url, "rest", s.address(`prepared${i}`), s.password()),
      );
      const failed = answers.filter((a) => a.status >= 500).length;
      s.figures.preparedThroughBouncer = { requests: answers.length, answered5xx: failed };
      expect(failed).toBeGreaterThan(0);
      await prepared.stop();
    });
  },
);
