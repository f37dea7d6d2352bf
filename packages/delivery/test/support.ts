/**
 * Test support: a real SMTP server (smtp-server on loopback, plain TCP, no
 * STARTTLS) that can be stopped and started again on the same port, and a
 * polling wait.
 */
import type { LogLine } from "@otp/core/testing";
import { createRenderer, createSmtpTransport, type SmtpTransport } from "@otp/email";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";

export interface ReceivedMail {
  /** The envelope recipient. */
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface TestSmtpServer {
  /** Fixed by the first start; later starts listen on it again. */
  readonly port: number;
  readonly url: string;
  /** Every message accepted, across restarts, in arrival order. */
  readonly received: ReceivedMail[];
  readonly listening: boolean;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** How many messages arrived for `address`. */
  countFor(address: string): number;
}

export interface TestSmtpServerOptions {
  /** Recipients answered with 550 (a permanent rejection). */
  rejectRecipient?: (address: string) => boolean;
}

export async function createSmtpServer(
  options: TestSmtpServerOptions = {},
): Promise<TestSmtpServer> {
  const received: ReceivedMail[] = [];
  let port = 0;
  let server: SMTPServer | null = null;

  function newServer(): SMTPServer {
    return new SMTPServer({
      secure: false,
      authOptional: true,
      disabledCommands: ["STARTTLS"],
      logger: false,
      // Pooled client connections must not hold a stop() up for the default 30 s.
      closeTimeout: 200,
      onRcptTo(address, _session, callback) {
        if (options.rejectRecipient?.(address.address)) {
          callback(Object.assign(new Error("No such mailbox here"), { responseCode: 550 }));
        } else callback();
      },
      onData(stream, session, callback) {
        simpleParser(stream).then(
          (mail) => {
            for (const recipient of session.envelope.rcptTo) {
              received.push({
                to: recipient.address,
                subject: mail.subject ?? "",
                text: mail.text ?? "",
                html: typeof mail.html === "string" ? mail.html : "",
              });
            }
            callback();
          },
          (error: Error) => callback(error),
        );
      },
    });
  }

  const handle: TestSmtpServer = {
    get port() {
      return port;
    },
    get url() {
      return `smtp://127.0.0.1:${port}`;
    },
    received,
    get listening() {
      return server !== null;
    },
    async start() {
      if (server !== null) return;
      const next = newServer();
      port = await new Promise<number>((resolve, reject) => {
        const listener = next.listen(port, "127.0.0.1", () => {
          const address = listener.address();
          if (address === null || typeof address === "string") reject(new Error("no port"));
          else resolve(address.port);
        });
        listener.once("error", reject);
      });
      server = next;
    },
    async stop() {
      const current = server;
      server = null;
      if (current !== null) await new Promise<void>((resolve) => current.close(() => resolve()));
    },
    countFor(address) {
      return received.filter((mail) => mail.to === address).length;
    },
  };
  await handle.start();
  return handle;
}

export function smtpTransportTo(server: TestSmtpServer): SmtpTransport {
  return createSmtpTransport({
    url: server.url,
    from: "Acme <no-reply@acme.example>",
    connectionTimeoutMs: 2_000,
    greetingTimeoutMs: 2_000,
  });
}

export const renderer = createRenderer({ productName: "Acme", baseUrl: "https://acme.example" });

/** Polls `check` until it returns true (or a value other than false/undefined). */
export async function waitFor<T>(
  description: string,
  check: () => T | Promise<T>,
  { timeoutMs = 20_000, intervalMs = 20 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<Exclude<T, false | undefined | null>> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== false && value !== undefined && value !== null) {
      return value as Exclude<T, false | undefined | null>;
    }
    if (performance.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** True when no captured log line contains `secret` (a code must never be logged). */
export function logsMention(lines: LogLine[], secret: string): boolean {
  return lines.some((line) => JSON.stringify(line).includes(secret));
}
