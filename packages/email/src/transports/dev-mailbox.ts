import { linkPath } from "../links.js";
import type { MailTransport, OutgoingMail, SentMail } from "./mail-transport.js";
import { createMemoryTransport, type RecordedMail } from "./memory.js";

/** A message the dev mailbox kept: the in-memory transport's record of it. */
export type DevMailboxMessage = RecordedMail;

export interface DevMailboxOptions {
  /** How many messages to keep; older ones are dropped. */
  capacity?: number;
  /** Receives one line per message. */
  log?: (line: string) => void;
  /**
   * The app's address (`APP_URL`), so the printed link opens from a terminal:
   * `https://app.example/link#token=...`. Without it the line has the path alone.
   */
  baseUrl?: string;
}

/**
 * FOR DEVELOPMENT ONLY. A transport that delivers nothing: it keeps the latest messages
 * in memory and prints one line per message, code and link included, so a developer can sign up
 * without a mail server. Never use it in production: it logs one-time codes in clear.
 */
export interface DevMailbox extends MailTransport {
  readonly kind: "dev-mailbox";
  readonly maxConcurrentSends: number;
  /** Kept messages, newest first. */
  list(): DevMailboxMessage[];
  get(id: string): DevMailboxMessage | undefined;
  clear(): void;
}

export function createDevMailbox({
  capacity = 100,
  log = console.log,
  baseUrl = "",
}: DevMailboxOptions = {}): DevMailbox {
  const linkBase = baseUrl.replace(/\/+$/, "");
  if (!Number.isInteger(capacity) || capacity < 1) {
    throw new RangeError(`dev mailbox capacity must be a positive whole number, got ${capacity}`);
  }
  // The in-memory transport records; the mailbox prints a line per message besides.
  const memory = createMemoryTransport({ capacity });

  return {
    kind: "dev-mailbox",
    maxConcurrentSends: memory.maxConcurrentSends,

    async send(mail: OutgoingMail): Promise<SentMail> {
      const sent = await memory.send(mail);
      const code = mail.meta?.code === undefined ? "" : ` code ${mail.meta.code}`;
      const link =
        mail.meta?.linkToken === undefined
          ? ""
          : ` link ${linkBase}${linkPath(mail.meta.linkToken)}`;
      log(`[dev-mailbox] to ${mail.to}: ${JSON.stringify(mail.subject)}${code}${link}`);
      return sent;
    },

    async close() {},

    list: () => memory.messages().reverse(),
    get: (id) => memory.get(id),
    clear: () => memory.clear(),
  };
}
