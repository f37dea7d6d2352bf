import { createHash } from "node:crypto";
import type { RandomBytes } from "./code.js";

/** How long the device cookie lives: about 400 days, the most browsers keep a cookie. */
export const DEVICE_COOKIE_TTL_SECONDS = 400 * 24 * 3600;

const DEVICE_TOKEN = /^[A-Za-z0-9_-]{43}$/;

/**
 * The device token a client keeps: the one it sent, if it has the shape of
 * one (256 random bits, base64url), or a new one. A forged or stale value is
 * no error: the client simply becomes a new device.
 */
export function deviceTokenFor(sent: string | undefined, random: RandomBytes): string {
  if (sent !== undefined && DEVICE_TOKEN.test(sent)) return sent;
  return Buffer.from(random(32)).toString("base64url");
}

/**
 * What the server keeps of a device token, per account: SHA-256 over the
 * account id and the token, so one browser used for two accounts cannot be
 * linked from the table alone, and the token itself is never stored.
 */
export function deviceTokenHash(userId: string, token: string): string {
  return createHash("sha256").update(`${userId}:${token}`).digest("hex");
}
