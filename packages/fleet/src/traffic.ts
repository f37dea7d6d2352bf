/**
 * The fleet's load: closed-loop clients spreading registrations, resends, right codes
 * and wrong codes over every live API process, each request from an address of its own
 * (X-Forwarded-For, the processes trust it) so the per-IP limits are not what answers.
 * Every request is recorded with its process, outcome and times; every account with
 * what it was told.
 */
import {
  type Answer,
  REST,
  registrationCookieOf,
  request,
  type Surface,
  TRPC,
} from "@otp/reliability/http";
import type { Scenario } from "@otp/reliability/scenario";

export type TrafficOperation = "register" | "resend" | "verify-right" | "verify-wrong";

export interface TrafficRecord {
  operation: TrafficOperation;
  /** Which process answered (its label). */
  api: string;
  email: string;
  /** HTTP status; 0 when no answer came (the process died, or the client gave up). */
  status: number;
  errorCode: string | null;
  retryAfter: string | null;
  startedAt: number;
  endedAt: number;
  /** Why no answer came (status 0). */
  error?: string;
}

export interface TrafficAccount {
  email: string;
  password: string;
  /** The register answer's binding cookie. */
  cookie: string | undefined;
  /** Answered 200 to a right code. */
  verified: boolean;
  wrongGuesses: number;
}

export interface Target {
  label: string;
  url: string;
  alive(): boolean;
}

/** Wrong guesses per account stay under the budget (5), so every account's code stays usable. */
const WRONG_GUESSES_PER_ACCOUNT = 2;
/** A client gives up after this long (well past the API's 1.5 s deadline). */
const CLIENT_TIMEOUT_MS = 10_000;

let addressCounter = 0;
/** A documentation-range address of its own for each request (198.18.0.0/15, benchmarking). */
export function nextClientIp(): string {
  addressCounter += 1;
  return `198.18.${(addressCounter >> 8) & 255}.${addressCounter & 255}`;
}

export interface Traffic {
  readonly records: readonly TrafficRecord[];
  readonly accounts: ReadonlyMap<string, TrafficAccount>;
  stop(): Promise<TrafficRecord[]>;
}

export function startTraffic(
  s: Scenario,
  targets: () => readonly Target[],
  { workers = 4, label = "fleet" }: { workers?: number; label?: string } = {},
): Traffic {
  const records: TrafficRecord[] = [];
  const accounts = new Map<string, TrafficAccount>();
  let running = true;
  let turn = 0;

  const pick = <T>(items: readonly T[]): T | undefined =>
    items[Math.floor(Math.random() * items.length)];

  const worker = async (index: number) => {
    for (let n = 0; running; n++) {
      const live = targets().filter((t) => t.alive());
      const target = live[turn++ % Math.max(1, live.length)];
      if (target === undefined) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        continue;
      }
      const surface: Surface = n % 2 === 0 ? "rest" : "trpc";
      const all = [...accounts.values()];
      const unverified = all.filter((a) => !a.verified);
      let operation: TrafficOperation = (
        ["register", "resend", "verify-right", "verify-wrong"] as const
      )[(n + index) % 4] as TrafficOperation;
      let account: TrafficAccount | undefined;
      let code: string | undefined;
      if (operation === "resend") account = pick(unverified);
      if (operation === "verify-wrong")
        account = pick(unverified.filter((a) => a.wrongGuesses < WRONG_GUESSES_PER_ACCOUNT));
      if (operation === "verify-right") {
        account = pick(unverified);
        if (account !== undefined) {
          // Bounded: the test's own read of the code waits on the database like the product,
          // and a worker stuck on it during an outage would stop sending while it lasts.
          code = await Promise.race([
            s.liveCode(account.email, { timeoutMs: 300 }).catch(() => undefined),
            new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 500)),
          ]);
          if (code === undefined) account = undefined;
        }
      }
      if (account === undefined) operation = "register";
      // The code lookup takes a moment: a process killed meanwhile is not sent to.
      if (!target.alive()) continue;
      const ip = nextClientIp();
      const startedAt = performance.now();
      let answer: Answer | null = null;
      let failure: string | undefined;
      let email = account?.email ?? "";
      try {
        if (operation === "register") {
          email = s.address(`${label}${index}`);
          const password = s.password();
          answer = await send(target.url, surface, "register", { email, password }, ip);
          if (answer.status >= 200 && answer.status < 300)
            accounts.set(email, {
              email,
              password,
              cookie: registrationCookieOf(answer),
              verified: false,
              wrongGuesses: 0,
            });
        } else if (operation === "resend") {
          answer = await send(target.url, surface, "resend", { email }, ip);
        } else if (operation === "verify-wrong" && account !== undefined) {
          account.wrongGuesses += 1;
          answer = await send(target.url, surface, "verify", { email, code: "00000000" }, ip);
        } else if (account !== undefined && code !== undefined) {
          answer = await send(target.url, surface, "verify", { email, code }, ip, account.cookie);
          if (answer.status === 200) account.verified = true;
        }
      } catch (caught) {
        answer = null;
        failure = (caught as Error).message;
      }
      records.push({
        operation,
        api: target.label,
        email,
        status: answer?.status ?? 0,
        errorCode: answer?.errorCode ?? null,
        retryAfter: answer?.headers.get("retry-after") ?? null,
        startedAt,
        endedAt: performance.now(),
        ...(failure === undefined ? {} : { error: failure }),
      });
    }
  };
  const done = Promise.all(Array.from({ length: workers }, (_, i) => worker(i)));
  return {
    records,
    accounts,
    async stop() {
      running = false;
      await done;
      return records;
    },
  };
}

/**
 * One request from client address `ip` (X-Forwarded-For; the processes run with
 * TRUST_PROXY=1, one proxy: the address it adds is the client). The REST body calls the code `otp`.
 */
export function send(
  base: string,
  surface: Surface,
  operation: "register" | "resend" | "verify",
  body: { email: string; password?: string; code?: string },
  ip: string,
  cookie?: string,
): Promise<Answer> {
  const headers: Record<string, string> = { "x-forwarded-for": ip };
  if (cookie !== undefined) headers.cookie = cookie;
  const options = { headers, timeoutMs: CLIENT_TIMEOUT_MS };
  if (operation === "verify") {
    return surface === "rest"
      ? request(base, REST.verifyEmail, { email: body.email, otp: body.code }, options)
      : request(base, TRPC.verifyEmail, { email: body.email, code: body.code }, options);
  }
  const path =
    operation === "register"
      ? surface === "rest"
        ? REST.register
        : TRPC.register
      : surface === "rest"
        ? REST.resendOtp
        : TRPC.resendCode;
  return request(base, path, body, options);
}
