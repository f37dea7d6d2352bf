import { Redis } from "ioredis";
import type { EdgeLogger } from "./errors.js";
import type { LimitGroup } from "./operations/define.js";

/** The per-IP budgets, by the limit group that spends them. */
export const RATE_LIMIT_GROUPS = ["send", "guess"] as const satisfies readonly Exclude<
  LimitGroup,
  "none"
>[];
export type RateLimitGroup = (typeof RATE_LIMIT_GROUPS)[number];

/** A spent budget: allowed, or refused until `retryAfterMs` from now. */
export type Spend = { allowed: true } | { allowed: false; retryAfterMs: number };

/**
 * The per-IP budgets. Called with the group of the operation that was matched
 * (a Fastify route's `config`, a tRPC procedure's declaration), never with
 * anything read from the URL, so every spelling of a path spends the same
 * budget, and each call in a tRPC batch spends its own.
 */
export interface RateLimiter {
  spend(group: RateLimitGroup, ip: string): Promise<Spend>;
  close(): Promise<void>;
}

interface Window {
  count: number;
  resetAt: number;
}

interface Counter {
  /** Adds one to the key's window (opening it when absent) and returns the count and its end. */
  increment(key: string, windowMs: number): Promise<Window>;
  close(): Promise<void>;
}

/** An unreachable store is logged at most once per this many ms (it is counted every time). */
const STORE_WARNING_INTERVAL_MS = 10_000;

/** At most this many keys in memory; expired windows are swept first, then the oldest go. */
const MEMORY_KEYS = 50_000;

function memoryCounter(): Counter {
  const windows = new Map<string, Window>();
  return {
    async increment(key, windowMs) {
      const now = Date.now();
      let window = windows.get(key);
      if (window === undefined || window.resetAt <= now) {
        if (windows.size >= MEMORY_KEYS) sweep(windows, now);
        window = { count: 0, resetAt: now + windowMs };
        windows.set(key, window);
      }
      window.count += 1;
      // A copy: concurrent calls (a batch) each read the count their own increment made.
      return { count: window.count, resetAt: window.resetAt };
    },
    async close() {
      windows.clear();
    },
  };
}

function sweep(windows: Map<string, Window>, now: number): void {
  for (const [key, window] of windows) if (window.resetAt <= now) windows.delete(key);
  // Still full: drop the oldest windows (a Map iterates in insertion order).
  for (const key of windows.keys()) {
    if (windows.size < MEMORY_KEYS) break;
    windows.delete(key);
  }
}

/** One round trip: count, and open the window's expiry with the first request in it. */
const INCREMENT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return { count, ttl }`;

function redisCounter(url: string, prefix: string): Counter {
  // Until the first connection, spends wait in the offline queue (for at most one
  // reconnection attempt). Once it has been up, no offline queue: while Redis is
  // unreachable a spend fails at once (and the request is let through) instead of waiting
  // for a reconnection that may never come.
  const redis = new Redis(url, { connectTimeout: 2000, maxRetriesPerRequest: 1 });
  redis.once("ready", () => {
    redis.options.enableOfflineQueue = false;
  });
  // Errors surface on each call (and are let through there); the client reconnects itself.
  redis.on("error", () => {});
  return {
    async increment(key, windowMs) {
      const [count, ttl] = (await redis.eval(INCREMENT_SCRIPT, 1, `${prefix}${key}`, windowMs)) as [
        number,
        number,
      ];
      return { count, resetAt: Date.now() + ttl };
    },
    async close() {
      await redis.quit().catch(() => undefined);
    },
  };
}

/** IPv6 clients are counted by /56 (a home or small site gets a /56 to /64, so one host can rotate through them). */
const IPV6_PREFIX_HEXTETS = 3.5;

/** The key a client's budget is counted under: its IPv4 address, or its IPv6 /56. */
export function clientKeyOf(ip: string): string {
  if (!ip.includes(":")) return ip;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped?.[1] !== undefined) return mapped[1];
  const [head = "", tail] = ip.split("%")[0]?.split("::") ?? [];
  const left = head === "" ? [] : head.split(":");
  const right = tail === undefined || tail === "" ? [] : tail.split(":");
  const hextets = [
    ...left,
    ...Array(Math.max(0, 8 - left.length - right.length)).fill("0"),
    ...right,
  ]
    .slice(0, 8)
    .map((part) => Number.parseInt(part || "0", 16));
  const whole = Math.floor(IPV6_PREFIX_HEXTETS);
  const kept = hextets.slice(0, whole).map((part) => part.toString(16));
  // The half hextet: its high byte.
  kept.push(((hextets[whole] ?? 0) & 0xff00).toString(16));
  return `${kept.join(":")}::/56`;
}

/** The per-IP budgets' settings (RATE_LIMIT_*, REDIS_URL). */
export interface RateLimitOptions {
  enabled: boolean;
  sendPerHour: number;
  verifyPerMinute: number;
  /** A shared store for several instances; in memory without it. */
  redisUrl: string | undefined;
  redisPrefix: string;
}

export function createRateLimiter(
  config: RateLimitOptions,
  logger: EdgeLogger,
  /** Told of each refusal (the metric of refusals by group). */
  onRefused?: (group: RateLimitGroup) => void,
  /** Told of each request let through because the shared store could not be reached. */
  onStoreUnavailable?: (group: RateLimitGroup) => void,
): RateLimiter | undefined {
  if (!config.enabled) return undefined;
  const counter =
    config.redisUrl === undefined
      ? memoryCounter()
      : redisCounter(config.redisUrl, config.redisPrefix);
  const budgets: Record<RateLimitGroup, { max: number; windowMs: number }> = {
    send: { max: config.sendPerHour, windowMs: 3_600_000 },
    guess: { max: config.verifyPerMinute, windowMs: 60_000 },
  };
  let lastStoreWarning = 0;
  return {
    async spend(group, ip) {
      const budget = budgets[group];
      let window: Window;
      try {
        window = await counter.increment(`${group}:${clientKeyOf(ip)}`, budget.windowMs);
      } catch (error) {
        // A shared store that is down must not take the API down with it: the per-IP
        // limits are off until it answers again (the per-account budgets, in PostgreSQL,
        // still hold). Counted each time, logged at most once per STORE_WARNING_INTERVAL_MS.
        onStoreUnavailable?.(group);
        const now = Date.now();
        if (now - lastStoreWarning >= STORE_WARNING_INTERVAL_MS) {
          lastStoreWarning = now;
          logger.warn(
            { err: error },
            "rate limit store unavailable; per-IP limits off, requests let through",
          );
        }
        return { allowed: true };
      }
      if (window.count <= budget.max) return { allowed: true };
      onRefused?.(group);
      return { allowed: false, retryAfterMs: Math.max(0, window.resetAt - Date.now()) };
    },
    close: () => counter.close(),
  };
}
