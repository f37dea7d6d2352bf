/**
 * A Redis server of the test's own (Debian's redis-server) on a free loopback port, no
 * persistence, so a test may stop it and start it again without touching the shared one.
 */
import { connect } from "node:net";
import { waitFor } from "@otp/reliability/http";
import { freePort, programAvailable, type ServerProcess, startServer } from "./system.js";

export const REDIS_SERVER = "/usr/bin/redis-server";

export function redisAvailable(): boolean {
  return programAvailable(REDIS_SERVER, "Redis server (Debian package redis-server)");
}

export interface RedisServer {
  readonly url: string;
  readonly port: number;
  start(): Promise<void>;
  stop(): Promise<void>;
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (data) => {
      socket.destroy();
      resolve(data.toString().startsWith("+PONG"));
    });
    socket.once("error", () => resolve(false));
  });
}

export async function createRedisServer(): Promise<RedisServer> {
  const port = await freePort();
  let server: ServerProcess | undefined;
  const redis: RedisServer = {
    url: `redis://127.0.0.1:${port}`,
    port,
    async start() {
      // Run as the suite's own user: redis-server does not refuse root, and writes nothing here.
      server = startServer(
        REDIS_SERVER,
        ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        { asServerUser: false },
      );
      await waitFor("redis-server to answer", () => answers(port).then((ok) => ok || null), {
        timeoutMs: 10_000,
        intervalMs: 50,
      });
    },
    async stop() {
      await server?.stop(2_000);
      server = undefined;
    },
  };
  await redis.start();
  return redis;
}
