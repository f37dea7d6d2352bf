import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { RandomBytes } from "./code.js";

/** How long the device cookie lives: about 400 days, the most browsers keep a cookie. */
export const DEVICE_COOKIE_TTL_SECONDS = 400 * 24 * 3600;

/** 256 random bits, then their HMAC under the device-cookie key, each base64url. */
const DEVICE_TOKEN = /^([A-Za-z0-9_-]{43})\.([A-Za-z0-9_-]{43})$/;

function signature(key: Uint8Array, random: string): Buffer {
  return createHmac("sha256", key).update(`otp-device:${random}`).digest();
}

/**
 * The device token the client sent, if the server issued it: its signature
 * (HMAC-SHA256 under a key derived from the server secret) checked in
 * constant time. Anything else (absent, forged, an older unsigned value) is
 * undefined: such a client is a device no account has seen.
 */
export function signedDeviceToken(sent: string | undefined, key: Uint8Array): string | undefined {
  if (sent === undefined) return undefined;
  const parts = DEVICE_TOKEN.exec(sent);
  if (parts === null) return undefined;
  const [, random = "", mac = ""] = parts;
  const given = Buffer.from(mac, "base64url");
  const expected = signature(key, random);
  return given.length === expected.length && timingSafeEqual(given, expected) ? sent : undefined;
}

/**
 * The device token a client keeps: the one it sent, if the server signed it,
 * or a new one. A forged or stale value is no error: the client simply
 * becomes a new device.
 */
export function deviceTokenFor(
  sent: string | undefined,
  random: RandomBytes,
  key: Uint8Array,
): string {
  const kept = signedDeviceToken(sent, key);
  if (kept !== undefined) return kept;
  const fresh = Buffer.from(random(32)).toString("base64url");
  return `${fresh}.${signature(key, fresh).toString("base64url")}`;
}

/**
 * What the server keeps of a device token, per account: SHA-256 over the
 * account id and the token, so one browser used for two accounts cannot be
 * linked from the table alone, and the token itself is never stored.
 * (repositories/known-devices.ts computes the same in SQL.)
 */
export function deviceTokenHash(userId: string, token: string): string {
  return createHash("sha256").update(`${userId}:${token}`).digest("hex");
}

/**
 * The key of a known device's own budgets (ADR 20): its failure counters in
 * `account_failures` and its attempt windows in `device_attempts`. An
 * address's key is a hex HMAC, so the two can never meet.
 */
export function deviceBudgetKey(deviceHash: string): string {
  return `device:${deviceHash}`;
}
