/** The account's own settings and upkeep: trusted code issue, unlock, language, cleanup. */
import { fail, ok, type Result } from "../../errors.js";
import { useUnlockToken } from "../../repositories/account-failures.js";
import { type CleanupCounts, runCleanup } from "../../repositories/cleanup.js";
import { lockUserById, setUserLocale } from "../../repositories/users.js";
import { type ClientContext, storedClient } from "../../rules/client-context.js";
import { unlockTokenHash } from "../../rules/consecutive-failures.js";
import type { ServiceContext } from "../context.js";
import { issueLocked } from "../engine/issue.js";
import { event } from "../engine/notices.js";
import type { CleanupInput, IssueCodeInput, SetLocaleInput, UnlockInput } from "../inputs.js";
import type { IssuedCode } from "../types.js";

/**
 * Issues a code of this type to an account by id, bypassing the send cap
 * (for trusted callers: operations and flows that already checked it).
 */
export async function issueCode(
  ctx: ServiceContext,
  input: IssueCodeInput,
): Promise<Result<IssuedCode>> {
  const parsed = ctx.parse(ctx.inputs.issueCode, input);
  if (!parsed.ok) return parsed;
  const { userId, codeType } = parsed.value;
  const now = ctx.clock();
  const issued = await ctx.db.transaction(async (tx) => {
    const user = await lockUserById(tx, userId);
    if (user === null) return null;
    return issueLocked(ctx, tx, user, codeType, now);
  });
  if (issued === null) return fail("USER_NOT_FOUND");
  ctx.onEmailQueued();
  return ok(issued);
}

/** Lifts the cap on consecutive failures with the token of an unlock link (single use). */
export async function unlock(
  ctx: ServiceContext,
  input: UnlockInput,
  client: ClientContext = {},
): Promise<Result<{ unlocked: true }>> {
  const parsed = ctx.parse(ctx.inputs.unlock, input);
  if (!parsed.ok) return parsed;
  const now = ctx.clock();
  const unlocked = await useUnlockToken(ctx.db, {
    tokenHash: unlockTokenHash(parsed.value.token),
    now,
    event: event("ACCOUNT_UNLOCKED", storedClient(client), now),
  });
  if (!unlocked) return fail("TOKEN_INVALID");
  ctx.logger.info({}, "account unlocked by its owner's link");
  return ok({ unlocked: true as const });
}

/** Sets the signed-in account's language: every later email and page uses it. */
export async function setLocale(
  ctx: ServiceContext,
  input: SetLocaleInput,
): Promise<Result<{ locale: string }>> {
  const parsed = ctx.parse(ctx.inputs.setLocale, input);
  if (!parsed.ok) return parsed;
  const { userId, locale } = parsed.value;
  const updated = await setUserLocale(ctx.db, { userId, locale, now: ctx.clock() });
  if (!updated) return fail("UNAUTHORIZED");
  ctx.logger.info({ userId, locale }, "account language set");
  return ok({ locale });
}

/**
 * Deletes used and/or expired codes, finished limit windows, expired sessions and
 * finished outbox rows past their retention, in bounded batches; returns the counts.
 */
export async function cleanup(
  ctx: ServiceContext,
  input: CleanupInput = {},
): Promise<Result<CleanupCounts>> {
  const parsed = ctx.parse(ctx.inputs.cleanup, input);
  if (!parsed.ok) return parsed;
  const counts = await runCleanup(ctx.db, {
    ...parsed.value,
    now: ctx.clock(),
    policy: ctx.policy,
  });
  ctx.logger.info({ ...counts }, "cleanup finished");
  return ok(counts);
}
