import { createHmac } from "node:crypto";

/**
 * Names a recipient address in the send-limit table without storing it: the
 * cap applies to addresses with no account too (so its answers reveal nothing),
 * and those addresses should not sit in the database in the clear.
 */
export function recipientKey(key: Uint8Array, normalizedEmail: string): string {
  return createHmac("sha256", key).update(normalizedEmail).digest("hex");
}
