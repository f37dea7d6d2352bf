/**
 * A closed-loop load generator: `workers` clients, each sending its next
 * request as soon as the previous one is answered, until stopped. Every
 * request is recorded with when it started and ended, so a test can look at
 * exactly the requests that overlapped a fault. A request the connection
 * dropped (the process died) is recorded with status 0.
 */
import { type Answer, register, resendCode, type Surface, verifyEmail } from "./http.js";

export type Operation = "register" | "resend" | "verify-wrong";

export interface LoadRecord {
  worker: number;
  operation: Operation;
  surface: Surface;
  email: string;
  /** HTTP status, or 0 when no answer came (connection refused or reset). */
  status: number;
  errorCode: string | null;
  startedAt: number;
  endedAt: number;
  error?: string;
}

export interface LoadOptions {
  /** Where to send: read before every request, so a test can move the load to a new process. */
  target: () => string | null;
  workers: number;
  /** Chooses the operation for this worker's n-th request. */
  plan?: (worker: number, n: number) => Operation;
  address: (label: string) => string;
  password: () => string;
  /** Pause between requests of one worker (ms); 0 by default. */
  pauseMs?: number;
  /** Stop after this many requests in total (a bound on the traffic). */
  maxRequests?: number;
}

export interface Load {
  readonly records: readonly LoadRecord[];
  /** Addresses registered with a 2xx answer. */
  readonly registered: readonly string[];
  stop(): Promise<LoadRecord[]>;
}

const defaultPlan = (worker: number, n: number): Operation =>
  n % 4 === 0 || worker % 3 === 0
    ? "register"
    : n % 4 === 1
      ? "resend"
      : n % 4 === 2
        ? "register"
        : "verify-wrong";

export function startLoad(options: LoadOptions): Load {
  const records: LoadRecord[] = [];
  const registered: string[] = [];
  const plan = options.plan ?? defaultPlan;
  const maxRequests = options.maxRequests ?? 10_000;
  let running = true;
  let sent = 0;

  const worker = async (index: number) => {
    for (let n = 0; running && sent < maxRequests; n++) {
      const base = options.target();
      if (base === null) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        continue;
      }
      sent += 1;
      const operation = plan(index, n);
      const surface: Surface = n % 2 === 0 ? "rest" : "trpc";
      const known = registered[Math.floor(Math.random() * registered.length)];
      const email =
        operation === "register" || known === undefined ? options.address(`load${index}`) : known;
      const startedAt = performance.now();
      let answer: Answer | null = null;
      let error: string | undefined;
      try {
        answer =
          operation === "register" || known === undefined
            ? await register(base, surface, email, options.password())
            : operation === "resend"
              ? await resendCode(base, surface, email)
              : await verifyEmail(base, surface, email, "00000000");
      } catch (caught) {
        error = (caught as Error).message;
      }
      const record: LoadRecord = {
        worker: index,
        operation: operation === "register" || known === undefined ? "register" : operation,
        surface,
        email,
        status: answer?.status ?? 0,
        errorCode: answer?.errorCode ?? null,
        startedAt,
        endedAt: performance.now(),
      };
      if (error !== undefined) record.error = error;
      records.push(record);
      if (record.operation === "register" && record.status >= 200 && record.status < 300)
        registered.push(email);
      if (options.pauseMs) await new Promise((resolve) => setTimeout(resolve, options.pauseMs));
    }
  };

  const done = Promise.all(Array.from({ length: options.workers }, (_, i) => worker(i)));
  return {
    records,
    registered,
    async stop() {
      running = false;
      await done;
      return records;
    },
  };
}

/** Counts of "status code" over some records, e.g. { "201": 40, "503 SERVICE_UNAVAILABLE": 12 }. */
export function tally(records: readonly LoadRecord[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of records) {
    const key =
      r.status === 0 ? "no answer" : `${r.status}${r.errorCode === null ? "" : ` ${r.errorCode}`}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}
