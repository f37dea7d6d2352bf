import type { Logger } from "@otp/core";
import type { DatabaseHandle } from "@otp/core/db";
import {
  deriveKeys,
  NO_RECIPIENT_KIND,
  type OutboxPayload,
  openOutboxPayload,
  safeErrorMessage,
} from "@otp/core/internal";
import {
  type AttemptedEmail,
  type ClaimedEmail,
  claimDueEmails,
  markEmailsSent,
  nextEmailDueAt,
  OUTBOX_CHANNEL,
  scheduleEmailRetry,
  settleEmailUnsent,
  UNSENT_REASONS,
} from "@otp/core/repositories";
import {
  type EmailMessage,
  type EmailRenderer,
  isPermanentSmtpError,
  type MailTransport,
  type OutgoingMail,
  toOutgoingMail,
} from "@otp/email";
import { type BackoffPolicy, DEFAULT_BACKOFF, retryDelayMs } from "./backoff.js";
import { toEmailMessage } from "./message.js";

export interface DispatcherOptions {
  /** The database the service queues emails in; only `db` and `listen` are used. */
  database: Pick<DatabaseHandle, "db" | "listen">;
  /** The server secret the service sealed the payloads with (outbox key derived by HKDF). */
  secret: string;
  renderer: Pick<EmailRenderer, "render">;
  transport: Pick<MailTransport, "send" | "maxConcurrentSends">;
  /** pino-compatible. Lines name the outbox id, never a code. */
  logger: Logger;
  clock?: () => Date;
  /**
   * Locale of an email whose payload names none (rows queued before payloads carried the
   * recipient account's `locale`). Default "en".
   */
  locale?: string;
  /** Rows claimed per statement. Default twice `concurrency`, at least 20 and at most 100. */
  batchSize?: number;
  /** Sends in flight at once within a batch. Default: the transport's `maxConcurrentSends`, else 4. */
  concurrency?: number;
  /** How long a claim holds a row before another dispatcher may take it. Default 60 s. */
  leaseSeconds?: number;
  /** Attempts (claims) after which a failing row is given up as FAILED. Default 8. */
  maxAttempts?: number;
  /** Exponential backoff with full jitter. Default base 1 s, factor 2, cap 5 min. */
  backoff?: Partial<BackoffPolicy>;
  /** Source of the jitter, in [0, 1). Default Math.random. */
  random?: () => number;
  /** Safety-net poll while idle; NOTIFY and `wake()` are the main wake-ups. Default 5000 ms. */
  idlePollMs?: number;
  /** Wait after a database error in the loop before trying again. Default 1000 ms. */
  errorRetryMs?: number;
  /** Told how each claimed email ended (metrics); it must not throw, and is ignored if it does. */
  observer?: DeliveryObserver;
}

/** How a delivery attempt ended, as an operator counts it (a deferred claim is not an end). */
export const EMAIL_OUTCOMES = ["sent", "retried", "failed", "expired", "superseded"] as const;
export type EmailOutcome = (typeof EMAIL_OUTCOMES)[number];

/** What the dispatcher reports, with no metrics or tracing library behind it. */
export interface DeliveryObserver {
  emailSettled?(kind: string, outcome: EmailOutcome): void;
  /**
   * Runs one claimed email's attempt (tracing: a span around it, linked to the
   * queuing request's `traceContext`, a W3C traceparent or null); must call
   * `attempt` once.
   */
  aroundAttempt?<T>(email: AttemptedEmail, attempt: () => Promise<T>): Promise<T>;
}

/** What one `drain()` did, by outcome. */
export interface DrainReport {
  sent: number;
  /** Failed temporarily; scheduled again with backoff. */
  retried: number;
  /** Given up: permanent rejection, undecryptable payload, or out of attempts. */
  failed: number;
  /** Its code expired before it could be sent: never sent. */
  expired: number;
  /** Its code was replaced or used before delivery: not sent. */
  superseded: number;
  /**
   * Claimed but left alone because the claim had grown too old to send safely
   * (another dispatcher may take the row once the lease ends).
   */
  deferred: number;
}

export interface Dispatcher {
  /** Subscribes to the outbox channel and starts the delivery loop. */
  start(): Promise<void>;
  /** Stops claiming, finishes the rows already claimed, and unsubscribes. */
  stop(): Promise<void>;
  /** Makes a sleeping loop look for due rows now. */
  wake(): void;
  /** Processes every row due now (claim after claim until none is left) and reports. */
  drain(): Promise<DrainReport>;
}

type Outcome = keyof DrainReport;

const MAX_ERROR_LENGTH = 500;
/** Floor for the sleep when rows are due but none could be claimed (held by another claim). */
const CONTENDED_DELAY_MS = 50;
/** Sent rows settled by one statement at most; a full batch is flushed without waiting. */
const SETTLE_BATCH_MAX = 64;
/** Retries of a failing settle statement after the first try (200 ms, 400 ms, ... apart). */
const SETTLE_RETRIES = 4;

/** A sent row waiting for its settle statement, and the `processRow` waiting on it. */
interface SettleWaiter {
  row: ClaimedEmail;
  resolve: (settled: boolean) => void;
  reject: (error: unknown) => void;
}

export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const key = deriveKeys(options.secret).outboxEncryption;
  const { database, renderer, transport, logger } = options;
  const db = database.db;
  const clock = options.clock ?? (() => new Date());
  const random = options.random ?? Math.random;
  const locale = options.locale ?? "en";
  const concurrency = positiveInteger(
    "concurrency",
    options.concurrency ?? transport.maxConcurrentSends ?? 4,
  );
  const batchSize = positiveInteger(
    "batchSize",
    options.batchSize ?? Math.min(100, Math.max(20, 2 * concurrency)),
  );
  const leaseSeconds = positiveInteger("leaseSeconds", options.leaseSeconds ?? 60);
  const maxAttempts = positiveInteger("maxAttempts", options.maxAttempts ?? 8);
  const idlePollMs = positiveInteger("idlePollMs", options.idlePollMs ?? 5_000);
  const errorRetryMs = positiveInteger("errorRetryMs", options.errorRetryMs ?? 1_000);
  const backoff: BackoffPolicy = { ...DEFAULT_BACKOFF, ...options.backoff };
  retryDelayMs(1, 0, backoff); // validates the policy now rather than at the first failure
  // A row waiting in its batch longer than this is not sent: its lease may run out mid-send.
  const maxClaimAgeMs = (leaseSeconds * 1000) / 2;

  let running = false;
  let loop: Promise<void> | null = null;
  let unlisten: (() => Promise<void>) | null = null;
  let wakeRequested = false;
  let interruptSleep: (() => void) | null = null;
  const drains = new Set<Promise<unknown>>();
  const observe = (kind: string, outcome: EmailOutcome) => {
    try {
      options.observer?.emailSettled?.(kind, outcome);
    } catch {
      // Metrics must never stop delivery.
    }
  };
  // Sent rows waiting for the next settle statement. Bounded: every waiter is a
  // `processRow` holding one of its claim's `concurrency` slots.
  let settleQueue: SettleWaiter[] = [];
  let settleFlushScheduled = false;
  const settleBatches = new Set<Promise<void>>();

  function wake(): void {
    wakeRequested = true;
    interruptSleep?.();
  }

  /** Resolves after `ms`, on stop(), or (if `wakeable`) on wake(). */
  function sleep(ms: number, wakeable: boolean): Promise<void> {
    if (!running || (wakeable && wakeRequested)) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        interruptSleep = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      interruptSleep = wakeable ? done : () => (running ? undefined : done());
    });
  }

  async function subscribe(): Promise<void> {
    if (unlisten !== null) return;
    try {
      unlisten = await database.listen(OUTBOX_CHANNEL, wake);
    } catch (error) {
      logger.warn(
        { err: errorMessage(error), retryInMs: idlePollMs },
        "outbox: LISTEN failed; polling until it can subscribe",
      );
    }
  }

  /** Claims one batch and settles every row in it. Returns how many rows it claimed. */
  async function claimAndProcess(report: DrainReport | null): Promise<number> {
    const rows = await claimDueEmails(db, { now: clock(), limit: batchSize, leaseSeconds });
    if (rows.length === 0) return 0;
    const claimedAt = clock().getTime();
    await forEachLimited(rows, concurrency, async (row) => {
      // A decoy (nobody got a code) is no email: the claim settled it (its passcode id names
      // no code); it is no attempt, and counts in no report, metric or log.
      if (row.kind === NO_RECIPIENT_KIND) return;
      const attempt = () => processRow(row, claimedAt);
      const observer = options.observer;
      const outcome: Outcome | null =
        observer?.aroundAttempt === undefined
          ? await attempt()
          : await observer
              .aroundAttempt(
                {
                  id: row.id,
                  kind: row.kind,
                  attempts: row.attempts,
                  traceContext: row.traceContext,
                },
                attempt,
              )
              .catch(() => null);
      if (report !== null && outcome !== null) report[outcome] += 1;
      if (outcome !== null && outcome !== "deferred") observe(row.kind, outcome);
    });
    return rows.length;
  }

  /** Settles one claimed row; returns its outcome, or null if settling itself failed. */
  async function processRow(row: ClaimedEmail, claimedAt: number): Promise<Outcome | null> {
    const context = { outboxId: row.id, kind: row.kind, attempts: row.attempts };
    try {
      // The claim itself settled rows with nothing left to send.
      if (row.status === "EXPIRED") {
        logger.warn(context, "outbox: code expired before delivery; not sent");
        return "expired";
      }
      if (row.status === "SUPERSEDED") {
        logger.info(context, "outbox: code replaced or used before delivery; not sent");
        return "superseded";
      }
      const prepared = await prepare(row);
      if (typeof prepared === "string") {
        await settle(row, "FAILED", prepared);
        logger.error({ ...context, err: prepared }, "outbox: undeliverable; given up");
        return "failed";
      }
      // Rendering or the batch queue took long: re-check before the point of no return.
      if (isExpired(row)) {
        await settle(row, "EXPIRED", UNSENT_REASONS.EXPIRED);
        logger.warn(context, "outbox: code expired before delivery; not sent");
        return "expired";
      }
      if (clock().getTime() - claimedAt > maxClaimAgeMs) {
        logger.warn(context, "outbox: claim too old to send safely; left for the next claim");
        return "deferred";
      }

      try {
        // A Message-ID derived from the row: if a crash between the send and the
        // settle makes a later claim send again, both copies carry the same id,
        // which mail systems use to recognise duplicates.
        await transport.send({
          ...prepared,
          headers: { ...prepared.headers, "Message-ID": `<${row.id}@outbox.otp>` },
        });
      } catch (error) {
        return await handleSendError(row, error);
      }

      const settled = await settleSent(row);
      if (settled) logger.info(context, "outbox: email sent");
      else logger.warn(context, "outbox: email sent, but the claim had lapsed before it settled");
      return "sent";
    } catch (error) {
      // A database error while settling: the row stays claimed until its lease ends.
      logger.error({ ...context, err: errorMessage(error) }, "outbox: could not settle the row");
      return null;
    }
  }

  /**
   * After a successful send, settling is what prevents a second send. Sends
   * that finish in the same turn of the event loop are settled together by one
   * statement (flushed on `setImmediate`, or at once when SETTLE_BATCH_MAX rows
   * wait). Resolves true if the row was settled, false if its claim had lapsed;
   * rejects once the statement has failed SETTLE_RETRIES + 1 times.
   */
  function settleSent(row: ClaimedEmail): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      settleQueue.push({ row, resolve, reject });
      if (!settleFlushScheduled) {
        settleFlushScheduled = true;
        setImmediate(() => {
          settleFlushScheduled = false;
          flushSettles(true);
        });
      }
      if (settleQueue.length >= SETTLE_BATCH_MAX) flushSettles(false);
    });
  }

  /** Starts settle statements for the waiting rows: every one of them, or only full batches. */
  function flushSettles(all: boolean): void {
    while (settleQueue.length >= (all ? 1 : SETTLE_BATCH_MAX)) {
      // One entry per row id in a statement: its answer is a set of ids, so two
      // claims of one row (a lease that ran out) go in separate statements.
      const batch: SettleWaiter[] = [];
      const later: SettleWaiter[] = [];
      const ids = new Set<string>();
      for (const waiter of settleQueue) {
        if (batch.length < SETTLE_BATCH_MAX && !ids.has(waiter.row.id)) {
          ids.add(waiter.row.id);
          batch.push(waiter);
        } else later.push(waiter);
      }
      settleQueue = later;
      const statement = settleBatch(batch);
      settleBatches.add(statement);
      void statement.finally(() => settleBatches.delete(statement));
    }
  }

  /**
   * One statement for the batch, retried a few times (briefly, well inside the
   * lease) before each row is left to its lease. Never rejects.
   */
  async function settleBatch(batch: SettleWaiter[]): Promise<void> {
    const rows = batch.map(({ row }) => ({ id: row.id, attempts: row.attempts }));
    for (let attempt = 0; ; attempt++) {
      try {
        const settled = await markEmailsSent(db, { rows, now: clock() });
        for (const waiter of batch) waiter.resolve(settled.has(waiter.row.id));
        return;
      } catch (error) {
        if (attempt >= SETTLE_RETRIES) {
          for (const waiter of batch) waiter.reject(error);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** attempt));
      }
    }
  }

  /** Settles every sent row still waiting (stop()). */
  async function flushAllSettles(): Promise<void> {
    flushSettles(true);
    while (settleBatches.size > 0) await Promise.allSettled(settleBatches);
  }

  /** Decrypts, maps and renders; a string is the reason the row can never be delivered. */
  async function prepare(row: ClaimedEmail): Promise<OutgoingMail | string> {
    if (row.payload === null) return "the row has no payload";
    let payload: OutboxPayload;
    try {
      payload = openOutboxPayload(key, row.id, row.payload);
    } catch (error) {
      return `the payload cannot be decrypted (a different APP_SECRET, or a damaged row): ${errorMessage(error)}`;
    }
    let message: EmailMessage;
    try {
      message = toEmailMessage(payload, row);
    } catch (error) {
      return `the payload cannot be delivered: ${errorMessage(error)}`;
    }
    try {
      return toOutgoingMail(message, await renderer.render(message, payload.locale ?? locale));
    } catch (error) {
      return `the email cannot be rendered: ${errorMessage(error)}`;
    }
  }

  async function handleSendError(row: ClaimedEmail, error: unknown): Promise<Outcome> {
    const reason = truncate(errorMessage(error));
    const context = { outboxId: row.id, kind: row.kind, attempts: row.attempts, err: reason };
    if (isPermanentSmtpError(error)) {
      await settle(row, "FAILED", reason);
      logger.error(context, "outbox: the mail server refused the email for good; given up");
      return "failed";
    }
    if (row.attempts >= maxAttempts) {
      await settle(row, "FAILED", truncate(`gave up after ${row.attempts} attempts: ${reason}`));
      logger.error(context, "outbox: out of attempts; given up");
      return "failed";
    }
    const retryAt = new Date(
      clock().getTime() + retryDelayMs(row.attempts, clampRandom(random()), backoff),
    );
    if (row.expiresAt !== null && retryAt >= row.expiresAt) {
      await settle(row, "EXPIRED", truncate(`the code expires before the next attempt: ${reason}`));
      logger.warn(context, "outbox: send failed and the code expires before a retry; not sent");
      return "expired";
    }
    await scheduleEmailRetry(db, { id: row.id, attempts: row.attempts, retryAt, error: reason });
    logger.warn({ ...context, retryAt }, "outbox: send failed; will retry");
    return "retried";
  }

  function isExpired(row: ClaimedEmail): boolean {
    return row.expiresAt !== null && row.expiresAt.getTime() <= clock().getTime();
  }

  function settle(
    row: ClaimedEmail,
    status: "FAILED" | "EXPIRED" | "SUPERSEDED",
    error: string,
  ): Promise<void> {
    return settleEmailUnsent(db, { id: row.id, attempts: row.attempts, status, error });
  }

  /** How long to sleep: until the next row is due, capped by the idle poll. */
  async function idleDelayMs(claimedLastTime: number): Promise<number> {
    const next = await nextEmailDueAt(db);
    if (next === null) return idlePollMs;
    const untilDue = next.getTime() - clock().getTime();
    if (untilDue > 0) return Math.min(untilDue, idlePollMs);
    // Due but not claimed: another claim holds it for a moment. Do not spin.
    return claimedLastTime === 0 ? CONTENDED_DELAY_MS : 0;
  }

  async function runLoop(): Promise<void> {
    while (running) {
      try {
        await subscribe();
        wakeRequested = false;
        const claimed = await claimAndProcess(null);
        if (!running) break;
        if (claimed >= batchSize || wakeRequested) continue;
        await sleep(await idleDelayMs(claimed), true);
      } catch (error) {
        logger.error(
          { err: errorMessage(error), retryInMs: errorRetryMs },
          "outbox: delivery loop failed; retrying",
        );
        await sleep(errorRetryMs, false);
      }
    }
  }

  return {
    async start() {
      if (running) return;
      if (loop !== null) await loop; // a stop() still finishing
      running = true;
      await subscribe();
      loop = runLoop();
      logger.info(
        { batchSize, concurrency, leaseSeconds, maxAttempts, idlePollMs },
        "outbox: dispatcher started",
      );
    },

    async stop() {
      running = false;
      interruptSleep?.();
      await loop;
      loop = null;
      await Promise.allSettled(drains);
      // Every claim above has awaited its rows' settles; this only makes sure of it.
      await flushAllSettles();
      const stopListening = unlisten;
      unlisten = null;
      if (stopListening !== null) {
        await stopListening().catch((error: unknown) =>
          logger.warn({ err: errorMessage(error) }, "outbox: UNLISTEN failed"),
        );
      }
      logger.info({}, "outbox: dispatcher stopped");
    },

    wake,

    async drain() {
      const report: DrainReport = {
        sent: 0,
        retried: 0,
        failed: 0,
        expired: 0,
        superseded: 0,
        deferred: 0,
      };
      const work = (async () => {
        while ((await claimAndProcess(report)) > 0) {
          // Keep claiming: a full batch may hide more due rows, and a partial one
          // may have been followed by new rows queued meanwhile.
        }
        return report;
      })();
      drains.add(work);
      try {
        return await work;
      } finally {
        drains.delete(work);
      }
    },
  };
}

/** Runs `fn` over `items` with at most `limit` calls in flight. `fn` must not throw. */
async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`dispatcher option ${name} must be a positive whole number, got ${value}`);
  }
  return value;
}

function clampRandom(value: number): number {
  if (!Number.isFinite(value) || value < 0) return 0;
  return value >= 1 ? 1 - Number.EPSILON : value;
}

function errorMessage(error: unknown): string {
  return truncate(safeErrorMessage(error));
}

function truncate(text: string): string {
  return text.length <= MAX_ERROR_LENGTH ? text : `${text.slice(0, MAX_ERROR_LENGTH - 1)}…`;
}
