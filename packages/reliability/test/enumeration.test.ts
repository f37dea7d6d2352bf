/**
 * Enumeration: `register`, `resend` and a wrong-password `sign-in` must not
 * reveal whether an address has an account, neither in what they answer nor
 * in how long they take.
 *
 * Method (also in docs/RELIABILITY.md): one API process; three classes of
 * address: unknown (no account), unverified, verified. For each endpoint, after
 * warm-up rounds, rounds each send one request per class, in a fresh random
 * order per round, one request at a time (no overlap, so no queueing effects),
 * each timed from sending to the last byte of the answer and followed by a short
 * pause. The criterion is paired (src/timing.ts): per round, each known class's
 * time minus the unknown one's; the median of those differences, with a 99%
 * bootstrap interval, must lie within ±tolerance (0.1 ms, or 3% of the median
 * on a loaded machine); rounds are added, 100 at a time up to MAX_ROUNDS, while
 * the interval straddles a bound. A 0.2 ms leak fails it; noise does not. The
 * spread of the three medians is reported. Password sign-in is also held to
 * issue 23's bounds: over at least 80 alternating rounds (600), each time taken
 * relative to its round's geometric mean (src/timing.ts), medians within 7% and the
 * fastest tenth within 10%. Addresses are reused round-robin within a class, so
 * every class takes the same paths through the send counter; `register` needs
 * a fresh address per request for "unknown" (registering creates the account).
 */
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApiProcess } from "../src/api-process.js";
import { NO_VIOLATIONS, violationsOf } from "../src/database.js";
import { SERVER_URL } from "../src/environment.js";
import {
  type Answer,
  median,
  percentile,
  REST,
  registrationCookieOf,
  request,
  round,
  TRPC,
  waitFor,
} from "../src/http.js";
import { createScenario, type Scenario } from "../src/scenario.js";
import {
  finalVerdict,
  judgeShift,
  pairedShift,
  relativeSpreads,
  type ShiftEstimate,
  type ShiftVerdict,
  spreadOf,
  toleranceFor,
} from "../src/timing.js";

/** Paired rounds measured first; then BATCH_ROUNDS more while undecided, up to MAX_ROUNDS. */
const ROUNDS = Number(process.env.ENUMERATION_ROUNDS ?? 200);
const MAX_ROUNDS = Number(process.env.ENUMERATION_MAX_ROUNDS ?? 600);
const BATCH_ROUNDS = 100;
const WARMUP_ROUNDS = 20;
/**
 * The sign-in test's rounds. Issue 23 asks for its bounds over 80 alternating requests; a
 * median of 80 argon2id answers on a shared 2-core machine moves by several percent by chance
 * (one quiet run: 9.2% between classes whose paired shift was 0.04 ms; 240 rounds beside a
 * benchmark: 7.2%, the unknown class the slowest), so the same bounds are held over 600.
 */
const SIGN_IN_ROUNDS = 600;
/** The pause after each request (see timedRound). */
const SETTLE_MS = 10;
const POOL = 10;
/** The addresses per class for a password sign-in endpoint (see poolSets). */
const SIGN_IN_POOL = 20;

type AddressClass = "unknown" | "unverified" | "verified";
const CLASSES: AddressClass[] = ["unknown", "unverified", "verified"];

interface Endpoint {
  name: string;
  path: string;
  body: (email: string, password: string) => Record<string, string>;
  freshUnknown: boolean;
  /** The status every class must get; absent: any success. */
  expectedStatus?: number;
  /** A password sign-in: also held to issue 23's medians and fastest-tenth bounds. */
  signIn?: boolean;
  /** Emails one request of the class sends (waited for before the next request). */
  emails: (cls: AddressClass) => number;
}

/** A wrong password for every class: the answer is 401 whatever the address. */
const WRONG_PASSWORD = "not the password of any account";

const ENDPOINTS: Endpoint[] = [
  {
    name: "REST register",
    path: REST.register,
    body: (email, password) => ({ email, password }),
    freshUnknown: true,
    // A code to unknown and unverified addresses, "already registered" to a verified one.
    emails: () => 1,
  },
  {
    name: "tRPC auth.register",
    path: TRPC.register,
    body: (email, password) => ({ email, password }),
    freshUnknown: true,
    // A code to unknown and unverified addresses, "already registered" to a verified one.
    emails: () => 1,
  },
  {
    name: "REST resend-otp",
    path: REST.resendOtp,
    body: (email) => ({ email }),
    freshUnknown: false,
    emails: (cls) => (cls === "unverified" ? 1 : 0),
  },
  {
    name: "tRPC auth.resendCode",
    path: TRPC.resendCode,
    body: (email) => ({ email }),
    freshUnknown: false,
    emails: (cls) => (cls === "unverified" ? 1 : 0),
  },
  // The password budget and the consecutive-failure cap count unknown addresses alike, and an
  // address without an account or a password is compared against a dummy argon2id hash.
  {
    name: "REST sign-in (wrong password)",
    path: "/api/v1/auth/sign-in/",
    body: (email) => ({ email, password: WRONG_PASSWORD }),
    freshUnknown: false,
    expectedStatus: 401,
    signIn: true,
    emails: () => 0,
  },
  {
    name: "tRPC auth.signIn (wrong password)",
    path: TRPC.signIn,
    body: (email) => ({ email, password: WRONG_PASSWORD }),
    freshUnknown: false,
    expectedStatus: 401,
    signIn: true,
    emails: () => 0,
  },
];

type Probed = Exclude<AddressClass, "unknown">;
const PROBED: Probed[] = ["unverified", "verified"];

interface Timing {
  endpoint: string;
  rounds: number;
  medianMs: Record<AddressClass, number>;
  p10Ms: Record<AddressClass, number>;
  p90Ms: Record<AddressClass, number>;
  /** (largest - smallest) / smallest of the three medians: reported, not the criterion. */
  spread: number;
  /** Within ±this the paired shift counts as none (src/timing.ts). */
  toleranceMs: number;
  /** Median paired difference from "unknown", with its 99% and 99.9% bootstrap intervals. */
  shiftMs: Record<
    Probed,
    { estimate: number; low: number; high: number; wideLow: number; wideHigh: number }
  >;
  verdicts: Record<Probed, ShiftVerdict>;
  /**
   * Within each round, how often the class was slower than "unknown" (0.5 =
   * indistinguishable): what an attacker comparing one known-absent address
   * with a probed one would see.
   */
  slowerThanUnknown: { unverified: number; verified: number };
}

const perClass = (value: (cls: AddressClass) => number) =>
  Object.fromEntries(CLASSES.map((c) => [c, value(c)])) as Record<AddressClass, number>;

const roundedShift = (shift: ShiftEstimate) => ({
  estimate: round(shift.estimate, 3),
  low: round(shift.low, 3),
  high: round(shift.high, 3),
  wideLow: round(shift.wideLow, 3),
  wideHigh: round(shift.wideHigh, 3),
});

function shuffled<T>(items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

describe.skipIf(SERVER_URL === undefined)("enumeration (PostgreSQL)", () => {
  let s: Scenario;
  let api: ApiProcess;
  /**
   * The addresses of each class: one set for register and resend, and one per password
   * sign-in endpoint, whose wrong passwords spend the consecutive-failure cap (at most
   * 100 per address): 20 addresses take at most 62 each (20 warm-up and 600 paired
   * rounds, 620 more for the sign-in bounds test).
   */
  const poolSets = new Map<string, Record<AddressClass, string[]>>();
  const poolsFor = (endpoint: Endpoint) =>
    poolSets.get(endpoint.signIn === true ? endpoint.name : "shared") as Record<
      AddressClass,
      string[]
    >;
  const all: Answer[] = [];
  const timings: Timing[] = [];
  const signInTimings: Record<string, unknown>[] = [];
  let password = "";
  const bindings = new Map<string, string>();

  beforeAll(async () => {
    s = await createScenario("enumeration");
    // The send cap must not refuse the repeated requests to the same addresses.
    // Nor the password budget the repeated wrong passwords (the cap of 100 is not reached:
    // see poolSets).
    api = await s.startApi("api", {
      RATE_LIMIT_ENABLED: "false",
      OTP_SEND_LIMIT: "1000",
      PASSWORD_MAX_FAILURES: "1000",
    });
    password = s.password();
    const setNames = ["shared", ...ENDPOINTS.filter((e) => e.signIn === true).map((e) => e.name)];
    for (const name of setNames) {
      const pools: Record<AddressClass, string[]> = { unknown: [], unverified: [], verified: [] };
      poolSets.set(name, pools);
      for (let i = 0; i < (name === "shared" ? POOL : SIGN_IN_POOL); i++) {
        pools.unknown.push(s.address("unknown"));
        const unverified = s.address("unverified");
        const verified = s.address("verified");
        pools.unverified.push(unverified);
        pools.verified.push(verified);
        all.push(await request(api.url, REST.register, { email: unverified, password }));
        const registered = await request(api.url, REST.register, { email: verified, password });
        all.push(registered);
        bindings.set(verified, registrationCookieOf(registered) ?? "");
      }
    }
    // Verified from the registering client, so these accounts have an active password (ADR 10).
    for (const email of [...poolSets.values()].flatMap((pools) => pools.verified)) {
      const code = await s.liveCode(email);
      const answer = await request(
        api.url,
        REST.verifyEmail,
        { email, otp: code },
        { headers: { cookie: bindings.get(email) ?? "" } },
      );
      all.push(answer);
      expect(answer.status).toBe(200);
    }
  });

  afterAll(async () => {
    console.log(
      `[enumeration] medians (ms): ${timings
        .map(
          (t) =>
            `${t.endpoint}: ${CLASSES.map((c) => `${c} ${t.medianMs[c]}`).join(", ")}, spread ${round(t.spread * 100)}%, shift ${PROBED.map((c) => `${c} ${t.shiftMs[c].estimate} [${t.shiftMs[c].low}, ${t.shiftMs[c].high}]`).join(", ")} (±${t.toleranceMs}), ${t.rounds} rounds`,
        )
        .join(" | ")}`,
    );
    for (const figures of signInTimings) console.log(`[enumeration] ${JSON.stringify(figures)}`);
    await s?.close();
  });

  const addressFor = (endpoint: Endpoint, cls: AddressClass, index: number) =>
    cls === "unknown" && endpoint.freshUnknown
      ? s.address("fresh")
      : (poolsFor(endpoint)[cls][index % poolsFor(endpoint)[cls].length] as string);

  const normalized = (answer: Answer, email: string) => ({
    status: answer.status,
    body: answer.text.replaceAll(email, "<email>"),
  });

  /**
   * One round: one request per class, in a fresh random order, one at a time. After each
   * answer the next request waits until the email it sent (if any) has arrived at the SMTP
   * server, and a short pause more: the work after an answer (delivering a real code's email,
   * in the API process) must not land on the next class's timing. Without this, the class
   * that sends an email looked faster than the others, which paid for its delivery.
   */
  const timedRound = async (
    endpoint: Endpoint,
    index: number,
  ): Promise<Record<AddressClass, number>> => {
    const times: Partial<Record<AddressClass, number>> = {};
    for (const cls of shuffled(CLASSES)) {
      const arrived = s.sink.arrivals.length + endpoint.emails(cls);
      const email = addressFor(endpoint, cls, index);
      const answer = await request(api.url, endpoint.path, endpoint.body(email, password));
      all.push(answer);
      if (endpoint.expectedStatus === undefined) {
        expect(answer.status, `${cls} ${answer.text}`).toBeLessThan(300);
      } else {
        expect(answer.status, `${cls} ${answer.text}`).toBe(endpoint.expectedStatus);
      }
      times[cls] = answer.ms;
      await waitFor(
        `${endpoint.name}: the email of a request`,
        () => s.sink.arrivals.length >= arrived,
        {
          timeoutMs: 10_000,
          intervalMs: 2,
        },
      );
      await sleep(SETTLE_MS);
    }
    return times as Record<AddressClass, number>;
  };

  for (const endpoint of ENDPOINTS) {
    it(`${endpoint.name}: the same status and body for unknown, unverified and verified addresses`, async () => {
      const seen: Record<AddressClass, { status: number; body: string }> = {} as never;
      for (const cls of CLASSES) {
        const email = addressFor(endpoint, cls, 0);
        const answer = await request(api.url, endpoint.path, endpoint.body(email, password));
        all.push(answer);
        seen[cls] = normalized(answer, email);
      }
      if (endpoint.expectedStatus === undefined) expect(seen.unknown.status).toBeLessThan(300);
      else expect(seen.unknown.status).toBe(endpoint.expectedStatus);
      expect(seen.unverified).toEqual(seen.unknown);
      expect(seen.verified).toEqual(seen.unknown);
    });

    it(`${endpoint.name}: no class answers measurably faster or slower than an unknown address (paired rounds)`, {
      timeout: 600_000,
    }, async () => {
      const samples: Record<AddressClass, number[]> = { unknown: [], unverified: [], verified: [] };
      const differences: Record<Probed, number[]> = { unverified: [], verified: [] };
      const slower = { unverified: 0, verified: 0 };
      let sent = 0;
      const runRounds = async (count: number, measured: boolean) => {
        for (let r = 0; r < count; r++) {
          const round_ = await timedRound(endpoint, sent++);
          if (!measured) continue;
          for (const cls of CLASSES) samples[cls].push(round_[cls]);
          for (const cls of PROBED) {
            differences[cls].push(round_[cls] - round_.unknown);
            if (round_[cls] > round_.unknown) slower[cls] += 1;
          }
        }
      };
      await runRounds(WARMUP_ROUNDS, false);
      await runRounds(ROUNDS, true);
      let shifts: Record<Probed, ShiftEstimate>;
      let tolerance: number;
      let verdicts: Record<Probed, ShiftVerdict>;
      for (;;) {
        tolerance = toleranceFor(median(CLASSES.flatMap((c) => samples[c])));
        shifts = {
          unverified: pairedShift(differences.unverified),
          verified: pairedShift(differences.verified),
        };
        const final = samples.unknown.length + BATCH_ROUNDS > MAX_ROUNDS;
        verdicts = {
          unverified: final
            ? finalVerdict(shifts.unverified, tolerance)
            : judgeShift(shifts.unverified, tolerance),
          verified: final
            ? finalVerdict(shifts.verified, tolerance)
            : judgeShift(shifts.verified, tolerance),
        };
        if (PROBED.every((c) => verdicts[c] !== "undecided")) break;
        await runRounds(BATCH_ROUNDS, true);
      }
      const rounds = samples.unknown.length;
      const medians = CLASSES.map((c) => median(samples[c]));
      const timing: Timing = {
        endpoint: endpoint.name,
        rounds,
        medianMs: perClass((c) => round(median(samples[c]), 2)),
        p10Ms: perClass((c) => round(percentile(samples[c], 10), 2)),
        p90Ms: perClass((c) => round(percentile(samples[c], 90), 2)),
        spread: round(spreadOf(medians), 4),
        toleranceMs: round(tolerance, 3),
        shiftMs: {
          unverified: roundedShift(shifts.unverified),
          verified: roundedShift(shifts.verified),
        },
        verdicts,
        slowerThanUnknown: {
          unverified: round(slower.unverified / rounds, 2),
          verified: round(slower.verified / rounds, 2),
        },
      };
      timings.push(timing);
      s.figures.timings = timings;
      console.log(`[enumeration] ${JSON.stringify(timing)}`);
      expect(verdicts, JSON.stringify(timing)).toEqual({ unverified: "same", verified: "same" });
    });

    if (endpoint.signIn) {
      it(`${endpoint.name}: over ${SIGN_IN_ROUNDS} alternating requests per class, medians within 7% and the fastest tenth within 10%`, {
        timeout: 300_000,
      }, async () => {
        const samples: Record<AddressClass, number[]> = {
          unknown: [],
          unverified: [],
          verified: [],
        };
        // The bounds on times relative to their round (src/timing.ts relativeSpreads): what
        // slows a whole round cancels out, as in the paired test. Raw medians are reported
        // beside: beside a benchmark they moved 8.6% apart in 600 rounds whose paired shift
        // was within 0.9 ms.
        const rounds: number[][] = [];
        for (let r = 0; r < WARMUP_ROUNDS + SIGN_IN_ROUNDS; r++) {
          const round_ = await timedRound(endpoint, r);
          if (r < WARMUP_ROUNDS) continue;
          rounds.push(CLASSES.map((c) => round_[c]));
          for (const cls of CLASSES) samples[cls].push(round_[cls]);
        }
        const { medianSpread, fastestTenthSpread } = relativeSpreads(rounds);
        const figures = {
          endpoint: endpoint.name,
          rounds: SIGN_IN_ROUNDS,
          medianMs: perClass((c) => round(median(samples[c]), 2)),
          p10Ms: perClass((c) => round(percentile(samples[c], 10), 2)),
          rawMedianSpread: round(spreadOf(CLASSES.map((c) => median(samples[c]))), 4),
          rawFastestTenthSpread: round(spreadOf(CLASSES.map((c) => percentile(samples[c], 10))), 4),
          medianSpread: round(medianSpread, 4),
          fastestTenthSpread: round(fastestTenthSpread, 4),
        };
        signInTimings.push(figures);
        s.figures.signInTimings = signInTimings;
        expect(medianSpread, JSON.stringify(figures)).toBeLessThan(0.07);
        expect(fastestTenthSpread, JSON.stringify(figures)).toBeLessThan(0.1);
      });
    }
  }

  it("never answered 5xx; the invariants hold; no secret in logs or answers, no plaintext code stored", async () => {
    expect(all.filter((answer) => answer.status >= 500)).toHaveLength(0);
    s.figures.requests = all.length;
    const { invariants, plaintext, leaks } = await s.closingChecks();
    expect(violationsOf(invariants)).toEqual(NO_VIOLATIONS);
    expect(plaintext.hits).toEqual([]);
    expect(leaks.leaks).toEqual([]);
  });
});
