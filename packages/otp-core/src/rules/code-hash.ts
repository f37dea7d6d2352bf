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

/**
 * The link mailed beside a code (`APP_URL/link#token=<passcode id>.<secret>`):
 * the passcode row's id, so a wrong secret for a real row is charged to that
 * row's account like a wrong code, and 256 random bits (base64url). Only the
 * HMAC of the secret is stored, on the code's own row (`passcodes.link_hash`):
 * link and code are one credential.
 */
export const LINK_SECRET_BYTES = 32;

/** `<uuid>.<43 base64url characters>`; nothing else is a link token. */
export const LINK_TOKEN_PATTERN =
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.[A-Za-z0-9_-]{43}$/;

export interface LinkToken {
  passcodeId: string;
  secret: string;
}

export function newLinkSecret(random: (size: number) => Uint8Array): string {
  return Buffer.from(random(LINK_SECRET_BYTES)).toString("base64url");
}

export function formatLinkToken({ passcodeId, secret }: LinkToken): string {
  return `${passcodeId}.${secret}`;
}

/** The parts of a well-formed token, or null. */
export function parseLinkToken(token: string): LinkToken | null {
  if (!LINK_TOKEN_PATTERN.test(token)) return null;
  const [passcodeId, secret] = token.split(".") as [string, string];
  return { passcodeId, secret };
}

/**
 * HMAC-SHA256 of a link's secret, bound to its row (hex, 64 characters), under a
 * key of its own: a link hash can never stand in for a code hash.
 */
export function hashLinkSecret(key: Uint8Array, { passcodeId, secret }: LinkToken): string {
  return createHmac("sha256", key).update(`v1\x1flink\x1f${passcodeId}\x1f${secret}`).digest("hex");
}
