import { sql } from "drizzle-orm";
import type { Executor } from "../db/rows.js";
import { OUTBOX_CHANNEL } from "./outbox.js";

/** Call after a transaction that queued an email has committed. */
export interface OutboxNotifier {
  (): void;
  /** Resolves once no NOTIFY is waiting or in flight (tests, shutdown). */
  settled(): Promise<void>;
}

export interface OutboxNotifierOptions {
  /** At most one NOTIFY per this many milliseconds; calls in between fold into the next. Default 10. */
  minIntervalMs?: number;
  /** A failed NOTIFY only delays delivery to its next poll; default: ignored. */
  onError?: (error: unknown) => void;
}

/**
 * Wakes every dispatcher listening on OUTBOX_CHANNEL (another API instance,
 * or the delivery process) after emails were queued. It runs after commit and
 * coalesces: at most one NOTIFY in flight and one per `minIntervalMs`.
 *
 * Not inside the issuing transaction, on purpose: PostgreSQL serialises the
 * commits of transactions that NOTIFY (a cluster-wide lock held through the
 * commit's WAL flush), which capped how many codes could be issued per second
 * at one commit at a time (ADR 8). A NOTIFY lost to a crash between commit and
 * this call only delays the email to the dispatcher's next poll.
 */
export function createOutboxNotifier(
  executor: Executor,
  options: OutboxNotifierOptions = {},
): OutboxNotifier {
  const minIntervalMs = options.minIntervalMs ?? 10;
  const onError = options.onError ?? (() => {});
  let wanted = false;
  let draining: Promise<void> | null = null;
  let lastSentAt = Number.NEGATIVE_INFINITY;

  async function drain(): Promise<void> {
    try {
      while (wanted) {
        const wait = lastSentAt + minIntervalMs - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait).unref());
        wanted = false;
        lastSentAt = performance.now();
        try {
          await executor.execute(sql`SELECT pg_notify(${OUTBOX_CHANNEL}, '')`);
        } catch (error) {
          onError(error);
        }
      }
    } finally {
      draining = null;
    }
  }

  const notify = (() => {
    wanted = true;
    draining ??= drain();
  }) as OutboxNotifier;
  notify.settled = async () => {
    while (draining !== null) await draining;
  };
  return notify;
}
