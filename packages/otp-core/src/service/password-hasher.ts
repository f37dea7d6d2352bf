import { hash, verify } from "@node-rs/argon2";

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(passwordHash: string, password: string): Promise<boolean>;
}

export interface Argon2Options {
  /** KiB of memory per hash. */
  memoryCost?: number;
  timeCost?: number;
  parallelism?: number;
}

/** OWASP's argon2id baseline: 19 MiB, 2 passes, 1 lane. */
export const DEFAULT_ARGON2: Required<Argon2Options> = {
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
};

/**
 * argon2id through @node-rs/argon2, whose async calls run on libuv's thread
 * pool: hashing never blocks the event loop.
 */
export function createArgon2Hasher(options: Argon2Options = {}): PasswordHasher {
  const params = { ...DEFAULT_ARGON2, ...options };
  return {
    // @node-rs/argon2 defaults to argon2id; the algorithm is fixed by the library default.
    hash: (password) => hash(password, params),
    verify: async (passwordHash, password) => {
      try {
        return await verify(passwordHash, password);
      } catch {
        return false;
      }
    },
  };
}
