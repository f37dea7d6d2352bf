import { availableParallelism } from "node:os";
import { hash, verify } from "@node-rs/argon2";

/** Hashes and verifies passwords; the service takes any (tests pass a cheap one). */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(passwordHash: string, password: string): Promise<boolean>;
}

/** argon2id's cost parameters and how many hashes run at once. */
export interface Argon2Options {
  /** KiB of memory per hash. */
  memoryCost?: number;
  timeCost?: number;
  parallelism?: number;
  /**
   * Hashes running at once; more wait in line. Default: one core fewer than the
   * machine has (at least 1), so a burst of registrations cannot take every core
   * from the requests that need only milliseconds.
   */
  maxConcurrent?: number;
}

/** A first-come, first-served limit on how many tasks run at once. */
function concurrencyLimit(max: number) {
  let running = 0;
  const waiting: Array<() => void> = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (running >= max) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await task();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}

/** OWASP's argon2id baseline: 19 MiB, 2 passes, 1 lane. */
export const DEFAULT_ARGON2: Required<Omit<Argon2Options, "maxConcurrent">> = {
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
};

/**
 * argon2id through @node-rs/argon2, whose async calls run on libuv's thread
 * pool: hashing never blocks the event loop.
 */
export function createArgon2Hasher(options: Argon2Options = {}): PasswordHasher {
  const { maxConcurrent = Math.max(1, availableParallelism() - 1), ...rest } = options;
  const params = { ...DEFAULT_ARGON2, ...rest };
  const limit = concurrencyLimit(maxConcurrent);
  return {
    // @node-rs/argon2 defaults to argon2id; the algorithm is fixed by the library default.
    hash: (password) => limit(() => hash(password, params)),
    verify: (passwordHash, password) =>
      limit(async () => {
        try {
          return await verify(passwordHash, password);
        } catch {
          return false;
        }
      }),
  };
}
