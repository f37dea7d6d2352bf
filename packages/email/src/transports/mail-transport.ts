import type { EmailKind, EmailMessage } from "../kinds.js";
import type { RenderedEmail } from "../render/renderer.js";

/** A rendered email on its way out. */
export interface OutgoingMail {
  to: string;
  subject: string;
  html: string;
  text: string;
  headers?: Record<string, string>;
  /**
   * What the mail is about, for transports that report rather than deliver (the dev
   * mailbox prints the code from here instead of parsing HTML). SMTP ignores it.
   */
  meta?: { kind: EmailKind; code?: string; linkToken?: string };
}

export interface SentMail {
  messageId: string;
}

/**
 * Where rendered mail goes. `send` rejects on any failure, with a message fit for a log
 * line; the caller decides whether to retry (see `isPermanentSmtpError`).
 */
export interface MailTransport {
  send(mail: OutgoingMail): Promise<SentMail>;
  /** Releases connections; the transport must not be used afterwards. */
  close(): Promise<void>;
  /**
   * How many sends it carries at once without queueing them (an SMTP pool's
   * connections). Delivery keeps no more than this many in flight, so no email
   * waits inside the transport while its claim ages. Unset: 4.
   */
  readonly maxConcurrentSends?: number;
}

/** Pairs a message with its rendering, carrying the kind, code and link token along as `meta`. */
export function toOutgoingMail(message: EmailMessage, rendered: RenderedEmail): OutgoingMail {
  return {
    to: message.to,
    subject: rendered.subject,
    html: rendered.html,
    text: rendered.text,
    meta:
      "code" in message
        ? { kind: message.kind, code: message.code, linkToken: message.linkToken }
        : { kind: message.kind },
  };
}
