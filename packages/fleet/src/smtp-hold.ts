/**
 * A TCP relay between one dispatcher and the SMTP sink that can hold a message in flight:
 * once `hold()` is called, a connection that finishes a message (the client's end of DATA,
 * `CRLF.CRLF`) gets no more bytes from the server. The sink has accepted the message and
 * answered 250, but the dispatcher never reads that answer, so it cannot commit the send:
 * killed then, it is a dispatcher that died between the SMTP server accepting an email and
 * the commit that records it, every time, not only when a SIGKILL happens to land there.
 */
import { connect, createServer, type Server, type Socket } from "node:net";

export interface SmtpHold {
  /** `url` (the sink's, with its credentials) with the relay's port. */
  urlFor(url: string): string;
  /** From now on, withhold the server's answers after each finished message. */
  hold(): void;
  /** The Message-IDs of the messages whose answer was withheld. */
  readonly held: readonly string[];
  close(): Promise<void>;
}

const END_OF_DATA = "\r\n.\r\n";
const MESSAGE_ID = /^Message-ID:\s*(<[^>\r\n]+>)/im;

export async function startSmtpHold(sinkPort: number): Promise<SmtpHold> {
  const held: string[] = [];
  const sockets = new Set<Socket>();
  let holding = false;

  const server: Server = createServer((client) => {
    const upstream = connect(sinkPort, "127.0.0.1");
    sockets.add(client).add(upstream);
    // What the client sent since its last finished message (headers and body of the next).
    let message = "";
    let withheld = false;
    client.on("data", (chunk: Buffer) => {
      upstream.write(chunk);
      if (withheld) return;
      message = (message + chunk.toString("latin1")).slice(-1_000_000);
      if (!message.includes(END_OF_DATA)) return;
      if (holding) {
        withheld = true;
        held.push(MESSAGE_ID.exec(message)?.[1] ?? "");
      }
      message = "";
    });
    upstream.on("data", (chunk: Buffer) => {
      if (!withheld) client.write(chunk);
    });
    const close = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on("close", close).on("error", close);
    upstream.on("close", close).on("error", close);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;

  return {
    urlFor(url) {
      const via = new URL(url);
      via.port = String(port);
      return via.toString();
    },
    hold() {
      holding = true;
    },
    held,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
