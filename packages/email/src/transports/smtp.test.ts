import { createServer, type Server, type Socket } from "node:net";
import { type ParsedMail, simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import { afterEach, describe, expect, it } from "vitest";
import { createRenderer } from "../render/renderer.js";
import { toOutgoingMail } from "./mail-transport.js";
import {
  createSmtpTransport,
  isPermanentSmtpError,
  SmtpSendError,
  type SmtpTransport,
} from "./smtp.js";

interface TestServer {
  port: number;
  received: ParsedMail[];
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

/** A real SMTP server on a random loopback port, password required, plain TCP. */
async function startSmtpServer(options: { rejectRecipients?: boolean } = {}): Promise<TestServer> {
  const received: ParsedMail[] = [];
  const server = new SMTPServer({
    secure: false,
    authOptional: false,
    allowInsecureAuth: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === "user" && auth.password === "pass") callback(null, { user: "user" });
      else
        callback(Object.assign(new Error("Invalid username or password"), { responseCode: 535 }));
    },
    onRcptTo(_address, _session, callback) {
      if (options.rejectRecipients) {
        callback(Object.assign(new Error("No such mailbox here"), { responseCode: 550 }));
      } else callback();
    },
    onData(stream, _session, callback) {
      simpleParser(stream).then(
        (mail) => {
          received.push(mail);
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  const port = await new Promise<number>((resolve, reject) => {
    const listener = server.listen(0, "127.0.0.1", () => {
      const address = listener.address();
      if (address === null || typeof address === "string") reject(new Error("no port"));
      else resolve(address.port);
    });
    listener.once("error", reject);
  });
  cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
  return { port, received };
}

function transportTo(url: string, options: { greetingTimeoutMs?: number } = {}): SmtpTransport {
  const transport = createSmtpTransport({ url, from: "Acme <no-reply@acme.example>", ...options });
  cleanups.push(() => transport.close());
  return transport;
}

async function verificationMail(to: string) {
  const renderer = createRenderer({ productName: "Acme", baseUrl: "https://acme.example" });
  const message = {
    kind: "VERIFICATION_CODE",
    to,
    code: "48213907",
    expiresInSeconds: 900,
    linkToken: "0b0e4a3c-5d1f-4e2a-9c7b-3f6d8e1a2b4c.q2Vb0x7m1kQe3T9rX8yZp4LwN6uJc5AaHs0dFg2iK1E",
  } as const;
  return toOutgoingMail(message, await renderer.render(message));
}

/** Resolves to how long `promise` took to reject, and the error. */
async function timeRejection(promise: Promise<unknown>): Promise<{ ms: number; error: unknown }> {
  const started = performance.now();
  try {
    await promise;
  } catch (error) {
    return { ms: performance.now() - started, error };
  }
  throw new Error("expected a rejection");
}

async function unusedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const address = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

describe("SMTP transport", () => {
  it("delivers From, To, Subject, text and HTML to a real SMTP server", async () => {
    const server = await startSmtpServer();
    const transport = transportTo(`smtp://user:pass@127.0.0.1:${server.port}`);
    const mail = await verificationMail("alice@example.com");

    const sent = await transport.send({ ...mail, headers: { "X-Request-Id": "req-1" } });

    expect(sent.messageId).toMatch(/@/);
    expect(server.received).toHaveLength(1);
    const [received] = server.received;
    expect(received?.from?.text).toBe('"Acme" <no-reply@acme.example>');
    expect(received?.to && !Array.isArray(received.to) ? received.to.text : "").toBe(
      "alice@example.com",
    );
    expect(received?.subject).toBe("Verify your email for Acme");
    expect(received?.subject).not.toContain("48213907");
    expect(received?.text).toContain("48213907");
    expect(received?.text).toContain("This code expires in 15 minutes.");
    expect(received?.html).toContain("48213907");
    expect(received?.html).toContain("<!DOCTYPE html");
    expect(received?.headers.get("x-request-id")).toBe("req-1");
  });

  it("reuses pooled connections for several messages", async () => {
    const server = await startSmtpServer();
    const transport = transportTo(`smtp://user:pass@127.0.0.1:${server.port}`);
    const mail = await verificationMail("bob@example.com");
    await Promise.all([transport.send(mail), transport.send(mail), transport.send(mail)]);
    expect(server.received).toHaveLength(3);
  });

  it("reports a 5xx rejection as a permanent error", async () => {
    const server = await startSmtpServer({ rejectRecipients: true });
    const transport = transportTo(`smtp://user:pass@127.0.0.1:${server.port}`);

    const { error } = await timeRejection(
      transport.send(await verificationMail("nobody@example.com")),
    );

    expect(error).toBeInstanceOf(SmtpSendError);
    expect((error as SmtpSendError).responseCode).toBe(550);
    expect((error as Error).message).toMatch(/SMTP 550/);
    expect(isPermanentSmtpError(error)).toBe(true);
    expect(server.received).toHaveLength(0);
  });

  it("fails on wrong credentials without printing them", async () => {
    const server = await startSmtpServer();
    const transport = transportTo(`smtp://user:s3cret-pw@127.0.0.1:${server.port}`);

    const { error } = await timeRejection(transport.send(await verificationMail("a@example.com")));

    expect((error as SmtpSendError).responseCode).toBe(535);
    expect((error as Error).message).not.toContain("s3cret-pw");
    expect(isPermanentSmtpError(error)).toBe(true);
  });

  it("fails fast, and retryably, when nothing listens on the port", async () => {
    const port = await unusedPort();
    const transport = transportTo(`smtp://user:pass@127.0.0.1:${port}`);

    const { ms, error } = await timeRejection(
      transport.send(await verificationMail("a@example.com")),
    );

    expect(ms).toBeLessThan(2000);
    expect(error).toBeInstanceOf(SmtpSendError);
    expect((error as Error).message).toContain(`127.0.0.1:${port}`);
    expect((error as Error).message).not.toContain("pass");
    expect(isPermanentSmtpError(error)).toBe(false);
  });

  it("gives up on a server that accepts the connection but never greets", async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    cleanups.push(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    });
    const address = silent.address();
    if (address === null || typeof address === "string") throw new Error("no port");
    const transport = transportTo(`smtp://user:pass@127.0.0.1:${address.port}`, {
      greetingTimeoutMs: 300,
    });

    const { ms, error } = await timeRejection(
      transport.send(await verificationMail("a@example.com")),
    );

    expect(ms).toBeLessThan(3000);
    expect((error as SmtpSendError).code).toBe("ETIMEDOUT");
    expect(isPermanentSmtpError(error)).toBe(false);
  });

  it("refuses a URL that is not smtp:// or smtps://", () => {
    expect(() => createSmtpTransport({ url: "http://user:pw@host", from: "a@b.c" })).toThrow(
      /smtp:\/\//,
    );
  });
});

describe("isPermanentSmtpError", () => {
  it.each([
    [550, true],
    [554, true],
    [535, true],
    [503, false],
    [421, false],
    [451, false],
  ])("responseCode %i → %s", (responseCode, permanent) => {
    expect(isPermanentSmtpError(Object.assign(new Error("x"), { responseCode }))).toBe(permanent);
  });

  it("is false for errors without an SMTP reply", () => {
    expect(isPermanentSmtpError(new Error("ECONNRESET"))).toBe(false);
    expect(isPermanentSmtpError("boom")).toBe(false);
    expect(isPermanentSmtpError(undefined)).toBe(false);
  });
});
