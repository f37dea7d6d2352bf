/**
 * The password check both password sign-in and re-authentication make: the refused
 * reservation's answer, the comparison (a dummy hash where there is no password), and
 * what a wrong password triggers (the notice at the budget's end, the lock at the cap).
 */
import { fail, type Result } from "../../errors.js";
import type { PasswordReservation } from "../../repositories/account-failures.js";
import type { ClientContext } from "../../rules/client-context.js";
import { decideConsecutive, reachesLock } from "../../rules/consecutive-failures.js";
import { passwordBudgetExhausted, passwordRetryAt } from "../../rules/password-budget.js";
import { normalizePassword } from "../../rules/password-rules.js";
import type { ServiceContext } from "../context.js";
import { lockAddress } from "./lockout.js";
import { noticePasswordLimit } from "./notices.js";

/** Where a password attempt is charged: the address and its budget's key (device or address). */
export interface PasswordAttempt {
  email: string;
  key: string;
  now: Date;
  client: ClientContext;
}

/** The answer when the reservation spent nothing: locked at the cap, or out of budget. */
export async function refusedPasswordAttempt(
  ctx: ServiceContext,
  reservation: Pick<PasswordReservation, "before" | "credentials">,
  { email, key, now, client }: PasswordAttempt,
): Promise<Result<never>> {
  const { policy } = ctx;
  const before = reservation.before;
  if (before !== null && !decideConsecutive(before.consecutiveFailures, policy).allowed) {
    await lockAddress(ctx, email, key, now, client, reservation.credentials?.locale);
    return fail("ACCOUNT_LOCKED");
  }
  // No window in this statement's snapshot: a concurrent attempt opened one just now.
  const windowStartedAt = before?.windowStartedAt ?? now;
  return fail("TOO_MANY_ATTEMPTS", { retryAt: passwordRetryAt(windowStartedAt, policy) });
}

/**
 * Whether the password matches the hash (the caller refuses when there was none); with no hash, a real argon2id
 * verification against a dummy made at start with the same parameters, so every
 * answer costs the same (no padding, ADR 5). A hash made before passwords were
 * normalised (NFKC) was made from the text as typed.
 */
export async function passwordMatches(
  ctx: ServiceContext,
  stored: string | null,
  password: string,
): Promise<boolean> {
  const against = stored ?? (await ctx.dummyPasswordHash());
  const normalized = normalizePassword(password);
  const matches = await ctx.hasher.verify(against, normalized);
  if (matches || normalized === password) return matches;
  return ctx.hasher.verify(against, password);
}

/** A wrong password's consequences: the owner's notice when the budget runs out, the lock at the cap. */
export async function chargeWrongPassword(
  ctx: ServiceContext,
  reserved: NonNullable<PasswordReservation["reserved"]>,
  { email, key, now, client }: PasswordAttempt,
  locale: string | undefined,
): Promise<void> {
  const { passwordFailures, consecutiveFailures, windowStartedAt } = reserved;
  if (passwordBudgetExhausted(passwordFailures, ctx.policy)) {
    await noticePasswordLimit(ctx, email, key, windowStartedAt, now, client, locale);
  }
  if (reachesLock(consecutiveFailures, ctx.policy)) {
    await lockAddress(ctx, email, key, now, client, locale);
  }
}
