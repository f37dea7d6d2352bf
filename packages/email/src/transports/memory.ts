import { randomUUID } from "node:crypto";
import type { EmailKind } from "../kinds.js";
import type { MailTransport, OutgoingMail, SentMail } from "./mail-transport.js";

/** A message the in-memory transport recorded. */
export interface RecordedMail {
  id: string;
  to: string;
  subject: string;
  html: string;
  text: string;
  headers: Record<string, string>;
  /** The kind, and for code emails the code and the link's token (`toOutgoingMail` sets it). */
  meta: OutgoingMail["meta"];
  sentAt: Date;
}

export interface MemoryTransportOptions {
  /** How many messages to keep; older ones are dropped. Default: all of them. */
  capacity?: number;
}

export interface WaitForMailOptions {
  /** Only this kind (`"SIGN_IN_CODE"`, ...). Default: any kind (any code email for `waitForCode`). */
  kind?: EmailKind;
  /** Only a message recorded after this one (say, the code a resend replaces). */
  after?: RecordedMail;
  /** Rejects when no such message arrived in time. Default 5000 ms. */
  timeoutMs?: number;
}

/**
 * A transport that delivers nothing and records every message in memory: for an app's tests,
 * demos and examples that sign up without a mail server. It logs nothing. Messages carry
 * one-time codes in clear, so it is not for production. Addresses compare case-insensitively.
 */
export interface MemoryTransport extends MailTransport {
  readonly kind: "memory";
  readonly maxConcurrentSends: number;
  /** The recorded messages, oldest first (a copy). */
  messages(): RecordedMail[];
  get(id: string): RecordedMail | undefined;
  /** The newest message to `to`, of `kind` if given. */
  lastMailTo(to: string, kind?: EmailKind): RecordedMail | undefined;
  /** The code of the newest code email to `to` (of `kind` if given): what its recipient would type. */
  lastCodeFor(to: string, kind?: EmailKind): string | undefined;
  /**
   * The newest message to `to` matching `options`, as soon as there is one: delivery sends
   * after the operation's transaction commits, so a caller waits rather than reads at once.
   */
  waitForMail(to: string, options?: WaitForMailOptions): Promise<RecordedMail>;
  /** `waitForMail` for the newest code email, answering its code. */
  waitForCode(to: string, options?: WaitForMailOptions): Promise<string>;
  clear(): void;
}

export function createMemoryTransport({
  capacity = Number.POSITIVE_INFINITY,
}: MemoryTransportOptions = {}): MemoryTransport {
  if (capacity !== Number.POSITIVE_INFINITY && (!Number.isInteger(capacity) || capacity < 1)) {
    throw new RangeError(
      `memory transport capacity must be a positive whole number, got ${capacity}`,
    );
  }
  // Oldest first; each recorded message's position in the whole sequence, for `after`.
  let messages: RecordedMail[] = [];
  const sequence = new WeakMap<RecordedMail, number>();
  let sent = 0;
  const waiters = new Set<() => void>();

  function newest(to: string, options: WaitForMailOptions, codeOnly: boolean) {
    const address = to.toLowerCase();
    const after = options.after === undefined ? -1 : (sequence.get(options.after) ?? -1);
    for (let index = messages.length - 1; index >= 0; index--) {
      const message = messages[index] as RecordedMail;
      if ((sequence.get(message) ?? 0) <= after) return undefined;
      if (message.to.toLowerCase() !== address) continue;
      if (options.kind !== undefined && message.meta?.kind !== options.kind) continue;
      if (codeOnly && message.meta?.code === undefined) continue;
      return message;
    }
    return undefined;
  }

  function waitFor(to: string, options: WaitForMailOptions, codeOnly: boolean) {
    const found = newest(to, options, codeOnly);
    if (found !== undefined) return Promise.resolve(found);
    const timeoutMs = options.timeoutMs ?? 5000;
    return new Promise<RecordedMail>((resolve, reject) => {
      const check = () => {
        const message = newest(to, options, codeOnly);
        if (message === undefined) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(message);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        const what = codeOnly ? "code email" : "email";
        const kind = options.kind === undefined ? "" : ` of kind ${options.kind}`;
        reject(new Error(`no ${what}${kind} to ${to} within ${timeoutMs} ms`));
      }, timeoutMs);
      waiters.add(check);
    });
  }

  return {
    kind: "memory",
    // Kept in memory: nothing to wait for, so many at once.
    maxConcurrentSends: 32,

    async send(mail: OutgoingMail): Promise<SentMail> {
      const message: RecordedMail = {
        id: randomUUID(),
        to: mail.to,
        subject: mail.subject,
        html: mail.html,
        text: mail.text,
        headers: { ...mail.headers },
        meta: mail.meta,
        sentAt: new Date(),
      };
      sequence.set(message, sent++);
      messages.push(message);
      if (messages.length > capacity) messages.splice(0, messages.length - capacity);
      for (const check of [...waiters]) check();
      return { messageId: message.id };
    },

    async close() {},

    messages: () => [...messages],
    get: (id) => messages.find((message) => message.id === id),
    lastMailTo: (to, kind) => newest(to, kind === undefined ? {} : { kind }, false),
    lastCodeFor: (to, kind) => newest(to, kind === undefined ? {} : { kind }, true)?.meta?.code,
    waitForMail: (to, options = {}) => waitFor(to, options, false),
    async waitForCode(to, options = {}) {
      const message = await waitFor(to, options, true);
      return message.meta?.code as string;
    },
    clear() {
      messages = [];
    },
  };
}
