/**
 * A closed loop of N workers: each sends one request, waits for its answer,
 * and sends the next. Latency is recorded for every request that completes
 * inside an open measurement window.
 */
import { performance } from "node:perf_hooks";

/** What one request did. "exhausted": the worker has no more prepared input and stops. */
export type Outcome = "ok" | "exhausted" | { error: string };
export type Operation = () => Promise<Outcome>;

export interface WindowStats {
  durationMs: number;
  completed: number;
  errors: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  maxMs: number;
  /** The window was cut short because the prepared inputs ran out. */
  exhausted: boolean;
  firstErrors: string[];
}

interface Window {
  startedAt: number;
  latencies: number[];
  errors: number;
  firstErrors: string[];
}

const running = new Set<ClosedLoop>();

/** Makes every running loop stop issuing requests (on Ctrl-C, before the cleanups run). */
export function haltAllLoops(): void {
  for (const loop of running) loop.halt();
}

export class ClosedLoop {
  private window: Window | null = null;
  private stopping = false;
  private workers: Promise<void>[] = [];
  private exhaustedFlag = false;
  private resolveExhausted: () => void = () => {};
  /** Resolves when any worker runs out of input. */
  readonly exhausted: Promise<void>;
  completed = 0;
  errors = 0;
  readonly firstErrors: string[] = [];

  constructor(
    readonly concurrency: number,
    private readonly operation: Operation,
  ) {
    this.exhausted = new Promise((resolve) => {
      this.resolveExhausted = resolve;
    });
  }

  start(): this {
    running.add(this);
    this.workers = Array.from({ length: this.concurrency }, () => this.work());
    return this;
  }

  halt(): void {
    this.stopping = true;
  }

  private async work(): Promise<void> {
    while (!this.stopping) {
      const started = performance.now();
      let outcome: Outcome;
      try {
        outcome = await this.operation();
      } catch (error) {
        outcome = { error: (error as Error).message };
      }
      if (outcome === "exhausted") {
        this.exhaustedFlag = true;
        this.resolveExhausted();
        return;
      }
      const latency = performance.now() - started;
      const window = this.window;
      if (outcome === "ok") {
        this.completed++;
        window?.latencies.push(latency);
      } else {
        this.errors++;
        if (this.firstErrors.length < 5) this.firstErrors.push(outcome.error);
        if (window !== null) {
          window.errors++;
          if (window.firstErrors.length < 5) window.firstErrors.push(outcome.error);
        }
        // A failure can be immediate (a closed client): yield, or timers never run.
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
  }

  get isExhausted(): boolean {
    return this.exhaustedFlag;
  }

  beginWindow(): void {
    this.window = { startedAt: performance.now(), latencies: [], errors: 0, firstErrors: [] };
  }

  endWindow(): WindowStats {
    const window = this.window;
    if (window === null) throw new Error("no window is open");
    this.window = null;
    const durationMs = performance.now() - window.startedAt;
    return summarise(window, durationMs, this.exhaustedFlag);
  }

  /** Stops issuing requests and waits for those in flight. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.workers);
    running.delete(this);
  }
}

function summarise(window: Window, durationMs: number, exhausted: boolean): WindowStats {
  const sorted = Float64Array.from(window.latencies).sort();
  const completed = sorted.length;
  let total = 0;
  for (const value of sorted) total += value;
  return {
    durationMs,
    completed,
    errors: window.errors,
    requestsPerSecond: (completed * 1000) / durationMs,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    meanMs: completed === 0 ? Number.NaN : total / completed,
    maxMs: completed === 0 ? Number.NaN : (sorted[completed - 1] as number),
    exhausted,
    firstErrors: window.firstErrors,
  };
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

export function median(values: readonly number[]): number {
  const finite = values.filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
  if (finite.length === 0) return Number.NaN;
  const middle = Math.floor(finite.length / 2);
  return finite.length % 2 === 1
    ? (finite[middle] as number)
    : ((finite[middle - 1] as number) + (finite[middle] as number)) / 2;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
