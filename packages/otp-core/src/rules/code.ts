import { randomBytes as nodeRandomBytes } from "node:crypto";
import { MAX_CODE_LENGTH, MIN_CODE_LENGTH } from "./policy.js";

/** A source of cryptographically secure random bytes; injected so tests can control it. */
export type RandomBytes = (size: number) => Uint8Array;

export const secureRandomBytes: RandomBytes = (size) => nodeRandomBytes(size);

/**
 * Bytes at or above this value are rejected: 250 is the largest multiple of 10
 * that fits in a byte, so `byte % 10` over [0, 250) is exactly uniform.
 */
const REJECTION_THRESHOLD = 250;

/**
 * A uniformly distributed string of `length` decimal digits. Each digit comes
 * from one random byte by rejection sampling, so there is no modulo bias.
 */
export function generateCode(length: number, randomBytes: RandomBytes = secureRandomBytes): string {
  if (!Number.isInteger(length) || length < MIN_CODE_LENGTH || length > MAX_CODE_LENGTH) {
    throw new RangeError(
      `code length must be an integer from ${MIN_CODE_LENGTH} to ${MAX_CODE_LENGTH}`,
    );
  }
  let code = "";
  while (code.length < length) {
    // Ask for a few spare bytes: about 2% are rejected, so one draw almost always suffices.
    const bytes = randomBytes(length - code.length + 4);
    for (const byte of bytes) {
      if (byte >= REJECTION_THRESHOLD) continue;
      code += String(byte % 10);
      if (code.length === length) break;
    }
  }
  return code;
}

/** True when `value` has exactly the shape of a code of this length (ASCII digits only). */
export function isWellFormedCode(value: string, length: number): boolean {
  if (value.length !== length) return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}
