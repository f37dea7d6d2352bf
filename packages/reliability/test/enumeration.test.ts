/**
 * Enumeration: `register`, `resend` and a wrong-password `sign-in` must not
 * reveal whether an address has an account, neither in what they answer nor
 * in how long they take.
 *
 * Method (also in docs/RELIABILITY.md): one API process; three classes of
 * address: unknown (no account), unverified, verified. For each endpoint, after
 * warm-up rounds, ROUNDS rounds each send one request per class, in a fresh
 * random order per round, one request at a time (no overlap, so no queueing
 * effects), each timed from sending to the last byte of the answer. The figure
 * is the spread of the three medians: (largest - smallest) / smallest, which
 * must stay under 10%. Addresses are reused round-robin within a class, so
 * every class takes the same paths through the send counter; `register` needs
 * a fresh address per request for "unknown" (registering creates the account).
 */
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
} from "../src/http.js";
import { createScenario, type Scenario } from "../src/scenario.js";

const ROUNDS = Number(process.env.ENUMERATION_ROUNDS ?? 200);
const WARMUP_ROUNDS = 20;
const POOL = 10;
const MAX_SPREAD = 0.1;

type AddressClass = "unknown" | "unverified" | "verified";
const CLASSES: AddressClass[] = ["unknown", "unverified", "verified"];

interface Endpoint {
  name: string;
  path: string;
  body: (email: string, password: string) => Record<string, string>;
  freshUnknown: boolean;
  /** The status every class must get; absent: any success. */
  expectedStatus?: number;
}

/** A wrong password for every class: the answer is 401 whatever the address. */
const WRONG_PASSWORD = "not the password of any account";

const ENDPOINTS: Endpoint[] = [
  {
    name: "REST register",
    path: REST.register,
    body: (email, password) => ({ email, password }),
    freshUnknown: true,
  },
  {
    name: "tRPC auth.register",
    path: TRPC.register,
    body: (email, password) => ({ email, password }),
    freshUnknown: true,
  },
  {
    name: "REST resend-otp",
    path: REST.resendOtp,
    body: (email) => ({ email }),
    freshUnknown: false,
  },
  {
    name: "tRPC auth.resendCode",
    path: TRPC.resendCode,
    body: (email) => ({ email }),
    freshUnknown: false,
  },
  // The password budget and the consecutive-failure cap count unknown addresses alike, and an
  // address without an account or a password is compared against a dummy argon2id hash.
  {
    name: "REST sign-in (wrong password)",
    path: "/api/v1/auth/sign-in/",
    body: (email) => ({ email, password: WRONG_PASSWORD }),
    freshUnknown: false,
    expectedStatus: 401,
  },
  {
    name: "tRPC auth.signIn (wrong password)",
    path: TRPC.signIn,
    body: (email) => ({ email, password: WRONG_PASSWORD }),
    freshUnknown: false,
    expectedStatus: 401,
  },
];

interface Timing {
  endpoint: string;
  rounds: number;
  medianMs: Record<AddressClass, number>;
  p90Ms: Record<AddressClass, number>;
  spread: number;
  /**
   * Within each round, how often the class was slower than "unknown" (0.5 =
   * indistinguishable): what an attacker comparing one known-absent address
   * with a probed one would see.
   */
  slowerThanUnknown: { unverified: number; verified: number };
}

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
  const pools: Record<AddressClass, string[]> = { unknown: [], unverified: [], verified: [] };
  const all: Answer[] = [];
  const timings: Timing[] = [];
  let password = "";
  const bindings = new Map<string, string>();

  beforeAll(async () => {
    s = await createScenario("enumeration");
    // The send cap must not refuse the repeated requests to the same addresses.
    // Nor the password budget the repeated wrong passwords (the cap of 100 is not reached:
    // each address takes fewer than 50).
    api = await s.startApi("api", {
      RATE_LIMIT_ENABLED: "false",
      OTP_SEND_LIMIT: "1000",
      PASSWORD_MAX_FAILURES: "1000",
    });
    password = s.password();
    for (let i = 0; i < POOL; i++) {
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
    // Verified from the registering client, so these accounts have an active password (ADR 10).
    for (const email of pools.verified) {
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
            `${t.endpoint}: ${CLASSES.map((c) => `${c} ${t.medianMs[c]}`).join(", ")}, spread ${round(t.spread * 100)}%`,
        )
        .join(" | ")}`,
    );
    await s?.close();
  });

  const addressFor = (endpoint: Endpoint, cls: AddressClass, index: number) =>
    cls === "unknown" && endpoint.freshUnknown
      ? s.address("fresh")
      : (pools[cls][index % POOL] as string);

  const normalized = (answer: Answer, email: string) => ({
    status: answer.status,
    body: answer.text.replaceAll(email, "<email>"),
  });

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

    it(`${endpoint.name}: median response times differ by less than 10% across the three classes`, async () => {
      const samples: Record<AddressClass, number[]> = { unknown: [], unverified: [], verified: [] };
      const slower = { unverified: 0, verified: 0 };
      for (let r = 0; r < WARMUP_ROUNDS + ROUNDS; r++) {
        const round_: Partial<Record<AddressClass, number>> = {};
        for (const cls of shuffled(CLASSES)) {
          const email = addressFor(endpoint, cls, r);
          const answer = await request(api.url, endpoint.path, endpoint.body(email, password));
          all.push(answer);
          if (endpoint.expectedStatus === undefined) {
            expect(answer.status, `${cls} ${answer.text}`).toBeLessThan(300);
          } else {
            expect(answer.status, `${cls} ${answer.text}`).toBe(endpoint.expectedStatus);
          }
          round_[cls] = answer.ms;
          if (r >= WARMUP_ROUNDS) samples[cls].push(answer.ms);
        }
        if (r >= WARMUP_ROUNDS) {
          if ((round_.unverified ?? 0) > (round_.unknown ?? 0)) slower.unverified += 1;
          if ((round_.verified ?? 0) > (round_.unknown ?? 0)) slower.verified += 1;
        }
      }
      const medianMs = Object.fromEntries(
        CLASSES.map((c) => [c, round(median(samples[c]), 2)]),
      ) as Record<AddressClass, number>;
      const p90Ms = Object.fromEntries(
        CLASSES.map((c) => [c, round(percentile(samples[c], 90), 2)]),
      ) as Record<AddressClass, number>;
      const medians = CLASSES.map((c) => median(samples[c]));
      const spread = (Math.max(...medians) - Math.min(...medians)) / Math.min(...medians);
      const timing: Timing = {
        endpoint: endpoint.name,
        rounds: ROUNDS,
        medianMs,
        p90Ms,
        spread: round(spread, 4),
        slowerThanUnknown: {
          unverified: round(slower.unverified / ROUNDS, 2),
          verified: round(slower.verified / ROUNDS, 2),
        },
      };
      timings.push(timing);
      s.figures.timings = timings;
      expect(spread, JSON.stringify(timing)).toBeLessThan(MAX_SPREAD);
    });
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
