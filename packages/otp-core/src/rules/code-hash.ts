import { createHmac, timingSafeEqual } from "node:crypto";
import type { CodeType } from "./code-types.js";

export interface CodeBinding {
  userId: string;
  codeType: CodeType;
  code: string;
}

/**
 * HMAC-SHA256 of a code, bound to its owner and purpose: the same digits issued
 * to another user, or for another code type, hash differently, so a stored hash
 * can never be replayed across accounts or flows. Hex, 64 characters.
 */
export function hashCode(key: Uint8Array, { userId, codeType, code }: CodeBinding): string {
  // The unit separator cannot occur in a uuid, an enum value or a digit string,
  // so the encoding is unambiguous.
  return createHmac("sha256", key)
    .update(`v1\x1f${userId}\x1f${codeType}\x1f${code}`)
    .digest("hex");
}

/** Compares two code hashes in constant time (for equal lengths, which hashes always are). */
export function codeHashesMatch(expected: string, actual: string): boolean {
  const a = Buffer.from(expected, "utf8");
  const b = Buffer.from(actual, "utf8");
  if (a.length !== b.length) {
    // Still spend a comparison so the failure path costs about the same.
    timingSafeEqual(a, a);
    return false;
  }
  return timingSafeEqual(a, b);
}
