import { z } from "zod";

/** Code length bounds: 6 digits is the least that keeps guessing hopeless under the budget. */
export const MIN_CODE_LENGTH = 6;
export const MAX_CODE_LENGTH = 12;

/**
 * Everything tunable about passcodes, with the documented defaults. Parsed once
 * (by `resolvePolicy`) so the rest of the code reads a complete, valid object.
 */
export const policySchema = z.object({
  /** Digits per code. */
  codeLength: z.number().int().min(MIN_CODE_LENGTH).max(MAX_CODE_LENGTH).default(8),
  /** How long a code stays valid after it is issued (ASVS 5.0 6.5.5, NIST: at most 10 minutes). */
  codeTtlSeconds: z.number().int().min(30).max(86_400).default(600),
  /**
   * Failed verifications allowed per (user, code type) per window. Issuing a new
   * code does not reset it: the budget belongs to the account, not the code.
   */
  maxFailedAttempts: z.number().int().min(1).max(100).default(5),
  attemptWindowSeconds: z.number().int().min(1).max(86_400).default(900),
  /** Emails allowed per recipient address per window. */
  maxSendsPerWindow: z.number().int().min(1).max(1000).default(10),
  sendWindowSeconds: z.number().int().min(1).max(86_400).default(3600),
  /** Minimum gap between two sends to one address; 0 means an immediate resend works. */
  sendCooldownSeconds: z.number().int().min(0).max(3600).default(0),
  /**
   * Wrong passwords allowed per address per window (rules/password-budget.ts);
   * past it, sign-in waits for the window to end, even with the right password.
   */
  passwordMaxFailures: z.number().int().min(1).max(1000).default(10),
  passwordFailureWindowSeconds: z.number().int().min(1).max(86_400).default(900),
  /**
   * Consecutive failures (every code type and passwords) after which an
   * address is locked until its owner uses the emailed unlock link; NIST SP
   * 800-63B-4 5.2.2 allows at most 100 (rules/consecutive-failures.ts).
   */
  maxConsecutiveFailures: z.number().int().min(1).max(100).default(100),
  /**
   * The fewest characters a new password may have (NIST SP 800-63B-4 3.1.1.2:
   * 15 for a password used alone; 8 is the least allowed where it is one of two
   * factors). At most 64: that many must always be allowed.
   */
  passwordMinLength: z.number().int().min(8).max(64).default(15),
  /**
   * How recently the person at a session must have proved who they are (a
   * password or a code) for a step that changes how the account is reached,
   * such as an email change (ASVS 5.0 7.5.1, ADR 20).
   */
  reauthMaxAgeSeconds: z.number().int().min(30).max(86_400).default(300),
  /** How long an unlock link works. */
  unlockTokenTtlSeconds: z
    .number()
    .int()
    .min(60)
    .max(7 * 86_400)
    .default(86_400),
});

/** The passcode policy, every field resolved. */
export type PasscodePolicy = z.output<typeof policySchema>;
/** A policy as given: every field optional, its default filled in by `resolvePolicy`. */
export type PasscodePolicyInput = z.input<typeof policySchema>;

/** A policy with its defaults filled in; throws (zod) on a value out of range. */
export function resolvePolicy(input: PasscodePolicyInput = {}): PasscodePolicy {
  return policySchema.parse(input);
}

/** The policy with every default. */
export const DEFAULT_POLICY: PasscodePolicy = resolvePolicy();
