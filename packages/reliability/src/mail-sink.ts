/**
 * A real SMTP server (smtp-server on loopback) that the tests control: it
 * accepts, goes down, answers slowly, or refuses with a temporary 451. It
 * records every accepted message with the code it carries, so a test can count
 * arrivals per (recipient, code): each outbox row carries exactly one fresh
 * code, so two arrivals of one pair are one message sent twice.
 */
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import { RUN_SECRETS } from "./environment.js";

export interface Arrival {
  to: string;
  /** The code on its own line in the text part, or null (no code in the message). */
  code: string | null;
  subject: string;
  /** The Message-ID header (the dispatcher derives it from the outbox row). */
  messageId: string | null;
  at: number;
}

export type MailSinkMode =
  | { kind: "accept" }
  /** Delays the greeting and the reply to DATA by `delayMs` each. */
  | { kind: "slow"; delayMs: number }
  /** Answers RCPT TO with 451 (temporary): the sender must retry. */
  | { kind: "reject-temporarily" };

export interface MailSink {
  readonly port: number;
  /** `smtp://user:password@127.0.0.1:port`; the password is a run secret the log scan looks for. */
  readonly url: string;
  readonly arrivals: readonly Arrival[];
  readonly listening: boolean;
  /** Messages refused with 451 so far. */
  readonly refusals: number;
  setMode(mode: MailSinkMode): void;
  /** Stops listening and drops open connections (the server is "down"). */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
  /** Arrivals grouped by `to + code`, for duplicate counting. */
  countsByMessage(): Map<string, number>;
  codesFor(address: string): string[];
}

const CODE_LINE = /^\s*(\d{6,12})\s*$/m;

export async function createMailSink(): Promise<MailSink> {
  const arrivals: Arrival[] = [];
  let mode: MailSinkMode = { kind: "accept" };
  let port = 0;
  let server: SMTPServer | null = null;
  let refusals = 0;
  const sockets = new Set<{ destroy(): void }>();

  const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  function newServer(): SMTPServer {
    return new SMTPServer({
      secure: false,
      authOptional: true,
      allowInsecureAuth: true,
      disabledCommands: ["STARTTLS"],
      logger: false,
      closeTimeout: 100,
      onAuth(auth, _session, callback) {
        callback(null, { user: auth.username ?? "user" });
      },
      onConnect(_session, callback) {
        if (mode.kind === "slow") void delay(mode.delayMs).then(() => callback());
        else callback();
      },
      onRcptTo(_address, _session, callback) {
        if (mode.kind === "reject-temporarily") {
          refusals += 1;
          callback(
            Object.assign(new Error("Mailbox busy, try again later"), { responseCode: 451 }),
          );
        } else callback();
      },
      onData(stream, session, callback) {
        simpleParser(stream).then(
          async (mail) => {
            if (mode.kind === "slow") await delay(mode.delayMs);
            const text = mail.text ?? "";
            for (const recipient of session.envelope.rcptTo) {
              arrivals.push({
                to: recipient.address.toLowerCase(),
                code: CODE_LINE.exec(text)?.[1] ?? null,
                subject: mail.subject ?? "",
                messageId: mail.messageId ?? null,
                at: Date.now(),
              });
            }
            callback();
          },
          (error: Error) => callback(error),
        );
      },
    });
  }

  const sink: MailSink = {
    get port() {
      return port;
    },
    get url() {
      return `smtp://reliability:${RUN_SECRETS.smtpPassword}@127.0.0.1:${port}`;
    },
    arrivals,
    get listening() {
      return server !== null;
    },
    get refusals() {
      return refusals;
    },
    setMode(next) {
      mode = next;
    },
    async start() {
      if (server !== null) return;
      const next = newServer();
      // A sender that dies mid-conversation resets its socket: not our error.
      next.on("error", () => undefined);
      next.server.on("connection", (socket) => {
        sockets.add(socket);
        socket.once("close", () => sockets.delete(socket));
      });
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
      if (current === null) return;
      const closed = new Promise<void>((resolve) => current.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
    countsByMessage() {
      const counts = new Map<string, number>();
      for (const arrival of arrivals) {
        const key = `${arrival.to} ${arrival.code ?? "-"}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      return counts;
    },
    codesFor(address) {
      const wanted = address.toLowerCase();
      return arrivals.flatMap((a) => (a.to === wanted && a.code !== null ? [a.code] : []));
    },
  };
  await sink.start();
  return sink;
}
