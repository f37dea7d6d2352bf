/**
 * What every flow and the code-check engine work with: the service's
 * dependencies and its few pieces of per-instance state, built once by
 * `createOtpService` from its options and passed to each call.
 */
import { randomBytes } from "node:crypto";
import type { z } from "zod";
import { type DerivedKeys, deriveKeys } from "../crypto/keys.js";
import type { Database } from "../db/client.js";
import { fail, ok, type Result } from "../errors.js";
import { createOutboxNotifier } from "../repositories/outbox-notifier.js";
import { type RandomBytes, secureRandomBytes } from "../rules/code.js";
import { type PasscodePolicy, resolvePolicy } from "../rules/policy.js";
import { DEFAULT_SESSION_TTL_SECONDS } from "./flows/sessions.js";
import { createInputSchemas, fieldErrorsOf, type InputSchemas } from "./inputs.js";
import { createDefaultLogger, type Logger, safeErrorMessage } from "./logger.js";
import { type OtpObserver, safeObserver } from "./observer.js";
import { createPasswordChecker, type PasswordChecker } from "./password-checker.js";
import { createArgon2Hasher, type PasswordHasher } from "./password-hasher.js";
import type { OtpServiceOptions } from "./types.js";

export interface ServiceContext {
  db: Database;
  keys: DerivedKeys;
  /**
   * Seals the decoy queued when nobody gets a code (NO_RECIPIENT_KIND): random, made at
   * start and kept nowhere, so a decoy costs the sealing a real email does and no one,
   * holding the server secret or not, can ever open it.
   */
  decoyKey: Buffer;
  policy: PasscodePolicy;
  inputs: InputSchemas;
  sessionTtlMs: number;
  clock: () => Date;
  random: RandomBytes;
  logger: Logger;
  hasher: PasswordHasher;
  observer: Required<OtpObserver>;
  /** After a transaction that queued an email commits: wakes in-process delivery and NOTIFYs. */
  onEmailQueued: () => void;
  /** Validates an input: its value, or INVALID_INPUT with the field errors. */
  parse<S extends z.ZodType>(schema: S, input: unknown): Result<z.output<S>>;
  /**
   * Verified against when an address has no account or no password, so sign-in costs the same
   * either way: an argon2id hash with the hasher's parameters, made once when the service starts.
   */
  dummyPasswordHash(): Promise<string>;
  /** Strength (zxcvbn) and, if configured, breach checks of a new password. */
  passwords: PasswordChecker;
}

export function createServiceContext(options: OtpServiceOptions): ServiceContext {
  const db = options.db;
  const keys = deriveKeys(options.secret);
  const policy = resolvePolicy(options.policy);
  const logger = options.logger ?? createDefaultLogger();
  const hasher = options.passwordHasher ?? createArgon2Hasher();
  const wakeLocalDelivery = options.onEmailQueued ?? (() => {});
  const notifyOutbox = createOutboxNotifier(db, {
    onError: (error) =>
      logger.warn(
        { err: safeErrorMessage(error) },
        "outbox: NOTIFY failed; delivery finds the email on its next poll",
      ),
  });
  const passwords = createPasswordChecker(options.passwordCheck ?? {}, logger);
  // Made at start, not on the first unknown address (which would then answer slower).
  const dummyPasswordHash = hasher.hash(randomBytes(16).toString("hex"));
  // Awaited where it is used; this keeps a failure from being an unhandled rejection meanwhile.
  dummyPasswordHash.catch(() => {});
  return {
    db,
    keys,
    decoyKey: randomBytes(32),
    policy,
    inputs: createInputSchemas(policy, options.locales),
    sessionTtlMs: (options.sessionTtlSeconds ?? DEFAULT_SESSION_TTL_SECONDS) * 1000,
    clock: options.clock ?? (() => new Date()),
    random: options.randomBytes ?? secureRandomBytes,
    logger,
    hasher,
    observer: safeObserver(options.observer),
    onEmailQueued: () => {
      wakeLocalDelivery();
      notifyOutbox();
    },
    parse<S extends z.ZodType>(schema: S, input: unknown): Result<z.output<S>> {
      const parsed = schema.safeParse(input);
      if (parsed.success) return ok(parsed.data);
      return fail("INVALID_INPUT", { fieldErrors: fieldErrorsOf(parsed.error) });
    },
    dummyPasswordHash: () => dummyPasswordHash,
    passwords,
  };
}
