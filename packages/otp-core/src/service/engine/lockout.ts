/** The cap on consecutive failures per address: locking it and mailing the unlock link. */
import { issueUnlockIfNeeded } from "../../repositories/account-failures.js";
import { type ClientContext, storedClient } from "../../rules/client-context.js";
import {
  newUnlockToken,
  unlockExpiresAt,
  unlockTokenHash,
} from "../../rules/consecutive-failures.js";
import type { ServiceContext } from "../context.js";
import { event, sealNotice } from "./notices.js";

/**
 * An address at its cap of consecutive failures: give it an unlock token
 * (unless it has a live one) and email its owner the link, in one statement.
 * The token is sealed for an unknown address too (the same work), but
 * nothing is queued for it.
 */
export async function lockAddress(
  ctx: ServiceContext,
  email: string,
  key: string,
  now: Date,
  client: ClientContext = {},
  /** The account's language, when the caller knows the account (nothing is queued otherwise). */
  locale?: string,
): Promise<void> {
  const token = newUnlockToken(ctx.random);
  const expiresAt = unlockExpiresAt(now, ctx.policy);
  const queued = await issueUnlockIfNeeded(ctx.db, {
    recipientKey: key,
    email,
    now,
    policy: ctx.policy,
    tokenHash: unlockTokenHash(token),
    expiresAt,
    notice: sealNotice(ctx, {
      kind: "ACCOUNT_LOCKED",
      to: email,
      ...(locale === undefined ? {} : { locale }),
      unlockToken: token,
      expiresAt: expiresAt.toISOString(),
    }),
    event: event("ACCOUNT_LOCKED", storedClient(client), now),
  });
  if (queued) {
    ctx.logger.warn({}, "account locked after too many consecutive failures; unlock link queued");
    ctx.onEmailQueued();
  }
}
