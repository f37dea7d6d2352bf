import { setTimeout as sleep } from "node:timers/promises";

/**
 * Keeps enumeration-safe answers from leaking through their timing. An
 * address-based request that issues a code does one more statement (and more
 * crypto) than one that does not (unknown, verified, or ineligible address);
 * the fast path then waits until it has taken as long as the slow path
 * typically takes: the median of the last samples of the slow path. Waiting
 * costs no CPU, and the slow path (real users) is never delayed.
 */
export class ResponseTimeFloor {
  private readonly samples: number[] = [];
  private next = 0;

  constructor(
    private readonly size = 64,
    /** Below this many samples there is no floor yet (start-up). */
    private readonly minimumSamples = 5,
  ) {}

  /** A slow-path duration, in milliseconds. */
  record(milliseconds: number): void {
    if (this.samples.length < this.size) this.samples.push(milliseconds);
    else this.samples[this.next] = milliseconds;
    this.next = (this.next + 1) % this.size;
  }

  /** The typical slow-path duration, or 0 while there are too few samples. */
  target(): number {
    if (this.samples.length < this.minimumSamples) return 0;
    const sorted = [...this.samples].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)] ?? 0;
  }

  /** Waits until `startedAt` (from performance.now()) is the target duration ago. */
  async pad(startedAt: number): Promise<void> {
    const wait = this.target() - (performance.now() - startedAt);
    if (wait >= 0.5) await sleep(wait);
  }
}
