import { createHash, timingSafeEqual } from "node:crypto";
import type { RandomBytes } from "./code.js";

/**
 * A registration's password is bound to the client that chose it (ADR 10): the
 * register answer gives that client a random token (an HttpOnly cookie), the
 * verification code's row keeps only the token's SHA-256, and the password is
 * activated only when the code is entered with the token. 256 random bits, so
 * a plain hash is enough (nothing to stretch).
 */
export const BINDING_TOKEN_BYTES = 32;

/** How long the binding cookie lives in the browser: long enough to finish a registration. */
export const REGISTRATION_BINDING_TTL_SECONDS = 86_400;

export function newBindingToken(random: RandomBytes): string {
  return Buffer.from(random(BINDING_TOKEN_BYTES)).toString("base64url");
}

export function bindingTokenHash(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/**
 * Whether the token the client presented is the one the registration was bound
 * to. Compared in constant time; no stored hash or no token is no match.
 */
export function bindingMatches(storedHash: string | null, token: string | undefined): boolean {
  if (storedHash === null || token === undefined) return false;
  const expected = Buffer.from(storedHash, "utf8");
  const actual = Buffer.from(bindingTokenHash(token), "utf8");
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
