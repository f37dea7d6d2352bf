/**
 * Redis unavailable. Two API processes share their per-IP limits through a Redis server
 * of the test's own; it is stopped, then started again. While it is down the per-IP
 * limits are off (requests are let through, promptly, never answered 5xx), each request
 * let through is counted (otp_rate_limit_store_unavailable_total) and the condition is
 * logged; the per-account budgets, kept in PostgreSQL, still hold exactly. Once Redis is
 * back, the limits hold again without a restart.
 */
import { SERVER_URL } from "@otp/reliability/environment";
import { type Answer, register } from "@otp/reliability/http";
import { createScenario, type Scenario } from "@otp/reliability/scenario";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FleetProcess, metricValue, scrape, startFleetApi } from "../src/fleet.js";
import { createRedisServer, type RedisServer, redisAvailable } from "../src/redis.js";
import { freePort } from "../src/system.js";
import { nextClientIp, send } from "../src/traffic.js";

const PER_MINUTE = 6;
const BUDGET = 5;

describe.skipIf(SERVER_URL === undefined || !redisAvailable())(
  "Redis unavailable: the per-IP limits",
  () => {
    let s: Scenario;
    let redis: RedisServer;
    const apis: Array<{ process: FleetProcess; metricsUrl: string }> = [];
    const figures: Record<string, unknown> = {};

    /** `n` wrong checks from one address, alternating over both processes. */
    const checksFrom = async (ip: string, n: number): Promise<Answer[]> => {
      const answers: Answer[] = [];
      for (let i = 0; i < n; i++) {
        const api = apis[i % 2]?.process as FleetProcess;
        answers.push(
          await send(
            api.url,
            i % 2 === 0 ? "rest" : "trpc",
            "verify",
            { email: s.address(`r${i}`), code: "00000000" },
            ip,
          ),
        );
      }
      return answers;
    };
    const refused = (answers: Answer[]) =>
      answers.filter((a) => a.errorCode === "RATE_LIMITED").length;

    beforeAll(async () => {
      s = await createScenario("redis-down");
      redis = await createRedisServer();
      for (const label of ["api-1", "api-2"]) {
        const port = await freePort();
        const process = await startFleetApi(s, label, {
          REDIS_URL: redis.url,
          RATE_LIMIT_VERIFY_PER_MINUTE: String(PER_MINUTE),
          TRUST_PROXY: "1",
          METRICS_PORT: String(port),
        });
        apis.push({ process, metricsUrl: `http://127.0.0.1:${port}` });
      }
    });

    afterAll(async () => {
      s.figures.redisDown = figures;
      await redis?.stop();
      await s?.close();
    });

    it("with Redis up, one address gets the limit across both processes", async () => {
      const answers = await checksFrom("203.0.113.10", PER_MINUTE * 2);
      expect(refused(answers)).toBe(PER_MINUTE);
    });

    it("with Redis down: the per-IP limits are off, requests answered promptly and never 5xx, each counted, the condition logged", async () => {
      await redis.stop();
      const answers = await checksFrom("203.0.113.11", PER_MINUTE * 2);
      const slowest = Math.max(...answers.map((a) => a.ms));
      const counted = (
        await Promise.all(
          apis.map(async (a) =>
            metricValue(
              await scrape(a.metricsUrl),
              'otp_rate_limit_store_unavailable_total{group="guess"}',
            ),
          ),
        )
      ).reduce((sum, n) => sum + n, 0);
      const logged = apis.filter((a) =>
        a.process.stdout().includes("rate limit store unavailable"),
      ).length;
      Object.assign(figures, {
        checksWhileDown: answers.length,
        refusedWhileDown: refused(answers),
        answered5xx: answers.filter((a) => a.status >= 500).length,
        slowestMs: Math.round(slowest),
        counted,
        processesThatLogged: logged,
      });
      expect(refused(answers)).toBe(0);
      expect(answers.filter((a) => a.status >= 500)).toEqual([]);
      expect(slowest).toBeLessThan(1_000);
      expect(counted).toBe(answers.length);
      expect(logged).toBe(2);
    });

    it(`with Redis down, the per-account budget still holds: of 20 parallel wrong guesses, exactly ${BUDGET} compared`, async () => {
      const email = s.address("budget");
      const registered = await register(
        (apis[0]?.process as FleetProcess | undefined)?.url ?? "",
        "rest",
        email,
        s.password(),
      );
      expect(registered.status).toBe(201);
      const guesses = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          send(
            (apis[i % 2]?.process as FleetProcess | undefined)?.url ?? "",
            "rest",
            "verify",
            { email, code: "00000000" },
            nextClientIp(),
          ),
        ),
      );
      const byCode: Record<string, number> = {};
      for (const g of guesses)
        byCode[g.errorCode ?? String(g.status)] =
          (byCode[g.errorCode ?? String(g.status)] ?? 0) + 1;
      figures.parallelGuessesWhileDown = byCode;
      expect(byCode).toEqual({ OTP_INVALID: BUDGET, TOO_MANY_ATTEMPTS: 20 - BUDGET });
    });

    it("with Redis back, the limits hold again without a restart", async () => {
      await redis.start();
      // ioredis reconnects on its own backoff (at most 2 s).
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      const answers = await checksFrom("203.0.113.12", PER_MINUTE * 2);
      figures.refusedAfterRedisBack = refused(answers);
      expect(refused(answers)).toBe(PER_MINUTE);
    });
  },
);
