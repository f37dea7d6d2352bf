/**
 * Device-bound budgets (issue 23, ADR 20): a client presenting the signed
 * device cookie of an earlier sign-in of the account spends budgets of its
 * own, which failures from other clients never spend.
 */
import { findKnownDevice } from "../../repositories/known-devices.js";
import {
  deviceBudgetKey,
  deviceTokenFor,
  deviceTokenHash,
  signedDeviceToken,
} from "../../rules/device-token.js";
import type { ServiceContext } from "../context.js";

/**
 * The key of the budgets of the device the client presented, if the account
 * knows it (it signed in from it and has not revoked it since); null for any
 * other client, which keeps the address's and the account's budgets. An
 * unsigned or forged cookie costs no statement.
 */
export async function knownDeviceKey(
  ctx: ServiceContext,
  account: { email: string } | { userId: string },
  sent: string | undefined,
): Promise<string | null> {
  const token = signedDeviceToken(sent, ctx.keys.deviceCookieHmac);
  if (token === undefined) return null;
  const hash = await findKnownDevice(ctx.db, { account, token });
  return hash === null ? null : deviceBudgetKey(hash);
}

/** The device cookie a client keeps: the signed one it sent, or a new one. */
export function deviceTokenOf(ctx: ServiceContext, sent: string | undefined): string {
  return deviceTokenFor(sent, ctx.random, ctx.keys.deviceCookieHmac);
}

/** The hash of the device making a request, if its cookie is one the server signed (else null). */
export function presentedDeviceHash(
  ctx: ServiceContext,
  userId: string,
  sent: string | undefined,
): string | null {
  const token = signedDeviceToken(sent, ctx.keys.deviceCookieHmac);
  return token === undefined ? null : deviceTokenHash(userId, token);
}
