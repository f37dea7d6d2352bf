import { createHash } from "node:crypto";
import type { RandomBytes } from "./code.js";
import type { PasscodePolicy } from "./policy.js";

/**
 * The hard cap on consecutive failures of one address (NIST SP 800-63B-4
 * 5.2.2): every wrong code of any type and every wrong password adds one, any
 * success resets it to 0. At `maxConsecutiveFailures` every check of the
 * address answers ACCOUNT_LOCKED, even the right code or password, until the
 * owner uses the unlock link emailed to them. Counted per address HMAC, so an
 * address without an account reaches the same answer after as many failures
 * (and nothing is mailed for it). A check spends its unit before comparing,
 * like the attempt budget, so parallel checks cannot pass the cap.
 */
export type ConsecutiveDecision = { allowed: true; next: number } | { allowed: false };

export function decideConsecutive(current: number, policy: PasscodePolicy): ConsecutiveDecision {
  return current >= policy.maxConsecutiveFailures
    ? { allowed: false }
    : { allowed: true, next: current + 1 };
}

/** This failure took the address to the cap: lock it and send the owner the unlock link. */
export function reachesLock(consecutiveFailures: number, policy: PasscodePolicy): boolean {
  return consecutiveFailures >= policy.maxConsecutiveFailures;
}

/** Unlock tokens: 256 bits from the CSPRNG, stored only as their SHA-256. */
export const UNLOCK_TOKEN_BYTES = 32;

export function newUnlockToken(random: RandomBytes): string {
  return Buffer.from(random(UNLOCK_TOKEN_BYTES)).toString("base64url");
}

export function unlockTokenHash(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export function unlockExpiresAt(now: Date, policy: PasscodePolicy): Date {
  return new Date(now.getTime() + policy.unlockTokenTtlSeconds * 1000);
}
