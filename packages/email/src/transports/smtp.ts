import { createTransport } from "nodemailer";
import { parseConnectionUrl } from "nodemailer/lib/shared";
import type { MailTransport, OutgoingMail, SentMail } from "./mail-transport.js";

export interface SmtpTransportOptions {
  /** `smtp://user:pass@host:port` (STARTTLS when offered) or `smtps://…` (TLS from the start). */
  url: string;
  /** The From header, e.g. `"Acme <no-reply@acme.example>"`. */
  from: string;
  /** Give up connecting after this long. Default 5 s: a dead server should fail fast. */
  connectionTimeoutMs?: number;
  /** Give up waiting for the server's greeting after this long. Default 5 s. */
  greetingTimeoutMs?: number;
  /** Give up on a connection silent for this long mid-conversation. Default 20 s. */
  socketTimeoutMs?: number;
  /** Pooled connections kept open to the server. Default 3. */
  maxConnections?: number;
}

export interface SmtpTransport extends MailTransport {
  readonly kind: "smtp";
}

/**
 * Raised for every failed send. The message names the server (never the credentials)
 * and the SMTP reply; `responseCode` is set when the server answered with an error
 * rather than the connection failing.
 */
export class SmtpSendError extends Error {
  override readonly name = "SmtpSendError";
  /** Nodemailer's error code, such as ECONNECTION, ETIMEDOUT, EAUTH or EENVELOPE. */
  readonly code: string | undefined;
  /** The SMTP reply code, such as 550, when the server rejected something. */
  readonly responseCode: number | undefined;

  constructor(server: string, cause: unknown) {
    const details = describeNodemailerError(cause);
    const reply = details.responseCode === undefined ? "" : ` (SMTP ${details.responseCode})`;
    super(`SMTP send via ${server} failed${reply}: ${details.message}`, { cause });
    this.code = details.code;
    this.responseCode = details.responseCode;
  }
}

/**
 * True when the server refused the message for good, so sending it again is pointless:
 * an SMTP 5xx reply (RFC 5321's permanent negative completion), except 503 "bad sequence
 * of commands", which is about the session rather than the message. Connection failures,
 * timeouts and 4xx replies are temporary: retry those.
 */
export function isPermanentSmtpError(error: unknown): boolean {
  const { responseCode } = describeNodemailerError(error);
  return (
    responseCode !== undefined && responseCode >= 500 && responseCode < 600 && responseCode !== 503
  );
}

/** Sends through an SMTP server over a small pool of reused connections. */
export function createSmtpTransport(options: SmtpTransportOptions): SmtpTransport {
  if (!/^smtps?:\/\//i.test(options.url)) {
    // Do not echo the URL: it carries the password.
    throw new Error("SMTP url must start with smtp:// or smtps://");
  }
  if (options.from.trim() === "") throw new Error("SMTP from address must not be empty");

  // Nodemailer's own parser: credentials, port, `smtps` meaning TLS, and query options
  // such as `?tls.rejectUnauthorized=false` all keep nodemailer's meaning.
  const connection = parseConnectionUrl(options.url);
  const server = `${connection.host ?? "localhost"}:${connection.port ?? (connection.secure ? 465 : 587)}`;

  const maxConnections = options.maxConnections ?? 3;
  const transporter = createTransport(
    {
      ...connection,
      pool: true,
      maxConnections,
      connectionTimeout: options.connectionTimeoutMs ?? 5_000,
      greetingTimeout: options.greetingTimeoutMs ?? 5_000,
      socketTimeout: options.socketTimeoutMs ?? 20_000,
      dnsTimeout: options.connectionTimeoutMs ?? 5_000,
    },
    { from: options.from },
  );

  return {
    kind: "smtp",
    maxConcurrentSends: maxConnections,

    async send(mail: OutgoingMail): Promise<SentMail> {
      try {
        const info = await transporter.sendMail({
          to: mail.to,
          subject: mail.subject,
          html: mail.html,
          text: mail.text,
          headers: mail.headers,
        });
        return { messageId: info.messageId };
      } catch (error) {
        throw new SmtpSendError(server, error);
      }
    },

    async close() {
      transporter.close();
    },
  };
}

interface NodemailerErrorDetails {
  message: string;
  code: string | undefined;
  responseCode: number | undefined;
}

/** Reads the fields nodemailer puts on its errors, from the error or the one it wraps. */
function describeNodemailerError(error: unknown): NodemailerErrorDetails {
  if (!(error instanceof Error)) {
    return { message: String(error), code: undefined, responseCode: undefined };
  }
  const fields = error as Error & { code?: unknown; responseCode?: unknown };
  const own = {
    message: error.message,
    code: typeof fields.code === "string" ? fields.code : undefined,
    responseCode: typeof fields.responseCode === "number" ? fields.responseCode : undefined,
  };
  if (own.responseCode === undefined && error.cause !== undefined) {
    const inner = describeNodemailerError(error.cause);
    if (inner.responseCode !== undefined) return { ...own, responseCode: inner.responseCode };
  }
  return own;
}
