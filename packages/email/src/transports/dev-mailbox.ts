import { randomUUID } from "node:crypto";
import type { MailTransport, OutgoingMail, SentMail } from "./mail-transport.js";

export interface DevMailboxMessage {
  id: string;
  to: string;
  subject: string;
  html: string;
  text: string;
  headers: Record<string, string>;
  meta: OutgoingMail["meta"];
  sentAt: Date;
}

export interface DevMailboxOptions {
  /** How many messages to keep; older ones are dropped. */
  capacity?: number;
  /** Receives one line per message. */
  log?: (line: string) => void;
  /**
   * The app's address (`APP_URL`), so the printed link opens from a terminal:
   * `https://app.example/link?token=...`. Without it the line has the path alone.
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
  // Newest first; small enough (default 100) that unshift's copying does not matter.
  let messages: DevMailboxMessage[] = [];

  return {
    kind: "dev-mailbox",
    // Kept in memory: nothing to wait for, so many at once.
    maxConcurrentSends: 32,

    async send(mail: OutgoingMail): Promise<SentMail> {
      const message: DevMailboxMessage = {
        id: randomUUID(),
        to: mail.to,
        subject: mail.subject,
        html: mail.html,
        text: mail.text,
        headers: { ...mail.headers },
        meta: mail.meta,
        sentAt: new Date(),
      };
      messages.unshift(message);
      if (messages.length > capacity) messages.length = capacity;
      const code = mail.meta?.code === undefined ? "" : ` code ${mail.meta.code}`;
      const link =
        mail.meta?.linkToken === undefined
          ? ""
          : ` link ${linkBase}/link?token=${mail.meta.linkToken}`;
      log(`[dev-mailbox] to ${mail.to}: ${JSON.stringify(mail.subject)}${code}${link}`);
      return { messageId: message.id };
    },

    async close() {},

    list: () => [...messages],
    get: (id) => messages.find((message) => message.id === id),
    clear() {
      messages = [];
    },
  };
}
