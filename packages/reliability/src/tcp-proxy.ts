/**
 * A TCP proxy (node:net) between the API and PostgreSQL that the test
 * controls. Two ways to lose the database:
 *
 * - `refuse()`: every open connection is reset and the port stops listening,
 *   like a database server that died or restarted: clients learn at once.
 * - `blackhole()`: connections stay open but nothing goes through either way
 *   (bytes are held back), and new connections are accepted and then hear
 *   nothing, like a network partition: clients learn only from their own timeouts.
 *
 * `restore()` ends either: a held-back connection gets its bytes delivered,
 * as TCP retransmission would once a partition heals.
 */
import { createServer, type Server, Socket } from "node:net";

export type ProxyState = "open" | "refusing" | "blackholed";

export interface TcpProxy {
  readonly port: number;
  readonly state: ProxyState;
  /** Connections accepted since the proxy started. */
  readonly accepted: number;
  refuse(): Promise<void>;
  blackhole(): void;
  restore(): Promise<void>;
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  upstream: Socket | null;
  /** Bytes held back while blackholed, per direction. */
  toUpstream: Buffer[];
  toClient: Buffer[];
}

export async function createTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let state: ProxyState = "open";
  let port = 0;
  let accepted = 0;
  let server: Server | null = null;
  const pairs = new Set<Pair>();

  function connectUpstream(pair: Pair): void {
    const upstream = new Socket();
    pair.upstream = upstream;
    upstream.connect(target.port, target.host);
    upstream.on("data", (chunk: Buffer) => {
      if (state === "blackholed") pair.toClient.push(chunk);
      else pair.client.write(chunk);
    });
    const end = () => {
      pair.client.destroy();
      pairs.delete(pair);
    };
    upstream.once("close", end);
    upstream.on("error", end);
    for (const chunk of pair.toUpstream.splice(0)) upstream.write(chunk);
  }

  function onConnection(client: Socket): void {
    accepted += 1;
    const pair: Pair = { client, upstream: null, toUpstream: [], toClient: [] };
    pairs.add(pair);
    client.on("data", (chunk: Buffer) => {
      if (state === "blackholed" || pair.upstream === null) pair.toUpstream.push(chunk);
      else pair.upstream.write(chunk);
    });
    const end = () => {
      pair.upstream?.destroy();
      pairs.delete(pair);
    };
    client.once("close", end);
    client.on("error", end);
    if (state !== "blackholed") connectUpstream(pair);
  }

  async function listen(): Promise<void> {
    const next = createServer(onConnection);
    port = await new Promise<number>((resolve, reject) => {
      next.once("error", reject);
      next.listen(port, "127.0.0.1", () => {
        const address = next.address();
        if (address === null || typeof address === "string") reject(new Error("no port"));
        else resolve(address.port);
      });
    });
    server = next;
  }

  async function stopListening(): Promise<void> {
    const current = server;
    server = null;
    if (current !== null) await new Promise<void>((resolve) => current.close(() => resolve()));
  }

  await listen();

  return {
    get port() {
      return port;
    },
    get state() {
      return state;
    },
    get accepted() {
      return accepted;
    },
    async refuse() {
      state = "refusing";
      const closing = stopListening();
      for (const pair of pairs) {
        pair.client.resetAndDestroy();
        pair.upstream?.destroy();
      }
      pairs.clear();
      await closing;
    },
    blackhole() {
      state = "blackholed";
    },
    async restore() {
      const previous = state;
      state = "open";
      if (previous === "refusing") await listen();
      if (previous === "blackholed") {
        for (const pair of pairs) {
          if (pair.upstream === null) connectUpstream(pair);
          else for (const chunk of pair.toUpstream.splice(0)) pair.upstream.write(chunk);
          for (const chunk of pair.toClient.splice(0)) pair.client.write(chunk);
        }
      }
    },
    async close() {
      // server.close() waits for open connections: end them first.
      const closing = stopListening();
      for (const pair of pairs) {
        pair.client.destroy();
        pair.upstream?.destroy();
      }
      pairs.clear();
      await closing;
    },
  };
}
