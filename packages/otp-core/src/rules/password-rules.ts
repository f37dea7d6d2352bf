import { dictionary } from "@zxcvbn-ts/language-common";

/**
 * Passwords as NIST SP 800-63B-4 (3.1.1.2) asks of a single-factor password:
 * a minimum length (the policy's `passwordMinLength`, 15 by default), at least
 * 64 characters allowed, no composition rules, any Unicode, normalised (NFKC)
 * before it is hashed or compared, and refused when it is on a list of common
 * and breached passwords. The list ships offline in @zxcvbn-ts/language-common.
 */
export const PASSWORD_MAX_LENGTH = 128;

/** The same password however it was typed (composed or decomposed accents, full-width forms). */
export function normalizePassword(password: string): string {
  return password.normalize("NFKC");
}

/** Length as a person counts it: code points of the normalised form, not UTF-16 units. */
export function passwordLength(password: string): number {
  return [...normalizePassword(password)].length;
}

let blocklist: Set<string> | undefined;

/** Whether the password (normalised, in any letter case) is a common or breached one. */
export function isBlockedPassword(password: string): boolean {
  blocklist ??= new Set(dictionary["passwords-common"].map((entry) => entry.toLowerCase()));
  return blocklist.has(normalizePassword(password).toLowerCase());
}
