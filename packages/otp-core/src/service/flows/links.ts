/** The link mailed beside every code (ADR 13): describing it, and using it as its code. */
import { fail, ok, type Result } from "../../errors.js";
import { findLinkTarget, type LinkTarget } from "../../repositories/passcodes.js";
import {
  codeHashesMatch,
  hashLinkSecret,
  type LinkToken,
  parseLinkToken,
} from "../../rules/code-hash.js";
import { isExpired } from "../../rules/expiry.js";
import type { ServiceContext } from "../context.js";
import { ABSENT_CODE_HASH, type CheckTarget } from "../engine/check.js";
import type { DescribeLinkInput, UseLinkInput } from "../inputs.js";
import type { DescribedLink, UsedLink } from "../types.js";
import { confirmEmailChangeWith, undoEmailChangeWith } from "./email-change.js";
import { resetPasswordWith } from "./password-reset.js";
import {
  type AuthenticatedSession,
  reauthenticateWith,
  requireRecentAuthentication,
} from "./reauthentication.js";
import { type BindingClient, verifyEmailWith } from "./registration.js";
import { signInWith } from "./sign-in.js";

/**
 * What a link's token stands for ("Verify ada@example.com"), for the page
 * that asks to confirm it: a read only, so opening a link (mail scanners
 * do) changes nothing, spends no attempt and records no event. A wrong
 * secret and an unknown row answer alike (LINK_INVALID); a used or expired
 * link answers as its code would.
 */
export async function describeLink(
  ctx: ServiceContext,
  input: DescribeLinkInput,
): Promise<Result<DescribedLink>> {
  const parsed = ctx.parse(ctx.inputs.describeLink, input);
  if (!parsed.ok) return parsed;
  const link = parseLinkToken(parsed.value.token);
  if (link === null) return fail("LINK_INVALID");
  const read = await readLink(ctx, link, ctx.clock());
  if (!read.ok) return read;
  const { codeType, email, newEmail } = read.value;
  return ok({
    step: codeType,
    email:
      codeType === "EMAIL_CHANGE" || codeType === "EMAIL_CHANGE_UNDO" ? (newEmail ?? email) : email,
  });
}

/**
 * Completes the step a link's token stands for, on the same path as its
 * code (`useCode`): the same row, attempt budget, cap and effect. A wrong
 * secret for a real row is charged to its account like a wrong code
 * (LINK_INVALID, `attemptsLeft`); a right one spends nothing. A token that
 * names no row (never issued, or replaced by a newer code) touches nothing.
 * A password-reset link needs `newPassword`; an email-change link needs the
 * signed-in session of its account (`signedInUserId`), as the code does.
 */
export async function useLink(
  ctx: ServiceContext,
  input: UseLinkInput,
  client: BindingClient & {
    signedInUserId?: string | undefined;
    /** The signed-in session (an email-change or re-authentication link needs it, ADR 20). */
    signedInSession?: AuthenticatedSession | undefined;
  } = {},
): Promise<Result<UsedLink>> {
  const parsed = ctx.parse(ctx.inputs.useLink, input);
  if (!parsed.ok) return parsed;
  const { token, newPassword } = parsed.value;
  const link = parseLinkToken(token);
  const target = link === null ? null : await findLinkTarget(ctx.db, link.passcodeId);
  if (link === null || target === null) {
    // Nothing to charge; the secret's HMAC is still computed, as on every path.
    hashLinkSecret(ctx.keys.linkHmac, link ?? { passcodeId: "", secret: token });
    return fail("LINK_INVALID");
  }
  const at: CheckTarget = { account: { userId: target.userId }, address: target.email };
  const credential = { link };
  if ((newPassword !== undefined) !== (target.codeType === "PASSWORD_RESET")) {
    return fail("INVALID_INPUT", {
      fieldErrors: {
        newPassword: [
          newPassword === undefined
            ? "Choose a new password: this link resets your password."
            : "This link does not set a password; send it without one.",
        ],
      },
    });
  }
  switch (target.codeType) {
    case "VERIFICATION": {
      const verified = await verifyEmailWith(ctx, at, credential, client);
      return verified.ok ? ok({ step: "VERIFICATION", verified: verified.value }) : verified;
    }
    case "SIGN_IN": {
      const session = await signInWith(ctx, at, credential, client);
      return session.ok ? ok({ step: "SIGN_IN", session: session.value }) : session;
    }
    case "PASSWORD_RESET": {
      const reset = await resetPasswordWith(ctx, at, credential, newPassword ?? "", client);
      return reset.ok ? ok({ step: "PASSWORD_RESET", reset: reset.value }) : reset;
    }
    case "EMAIL_CHANGE": {
      // As the code: only the signed-in session of the account that asked for the change.
      if (client.signedInUserId !== target.userId) return fail("UNAUTHORIZED");
      const stale = requireRecentAuthentication(ctx, client.signedInSession, ctx.clock());
      if (stale !== null) return stale;
      const changed = await confirmEmailChangeWith(
        ctx,
        target.userId,
        target.email,
        credential,
        client,
        client.signedInSession?.sessionId ?? null,
      );
      return changed.ok ? ok({ step: "EMAIL_CHANGE", changed: changed.value }) : changed;
    }
    case "REAUTHENTICATION": {
      // Only at a signed-in session of the account that asked for the code.
      const session = client.signedInSession;
      if (client.signedInUserId !== target.userId || session === undefined)
        return fail("UNAUTHORIZED");
      const done = await reauthenticateWith(
        ctx,
        { userId: target.userId, email: target.email, sessionId: session.sessionId },
        credential,
        client,
      );
      return done.ok ? ok({ step: "REAUTHENTICATION", reauthenticated: done.value }) : done;
    }
    case "EMAIL_CHANGE_UNDO": {
      // The owner of the old address, from any client: no session needed (they all end).
      const undone = await undoEmailChangeWith(
        ctx,
        target.userId,
        target.email,
        credential,
        client,
      );
      return undone.ok ? ok({ step: "EMAIL_CHANGE_UNDO", undone: undone.value }) : undone;
    }
  }
}

/**
 * The live code row a link's token names, or the failure a link that cannot
 * be used answers (LINK_INVALID for no such row or a wrong secret; used and
 * expired as their codes answer). A read: nothing is spent or recorded. The
 * secret's HMAC is computed and compared on every path, so an unknown row
 * costs what a known one does.
 */
async function readLink(
  ctx: ServiceContext,
  link: LinkToken,
  now: Date,
): Promise<Result<LinkTarget>> {
  const target = await findLinkTarget(ctx.db, link.passcodeId);
  const submitted = hashLinkSecret(ctx.keys.linkHmac, link);
  const matches = codeHashesMatch(target?.linkHash ?? ABSENT_CODE_HASH, submitted);
  if (target === null || !matches) return fail("LINK_INVALID");
  if (target.isUsed) return fail("OTP_ALREADY_USED");
  if (isExpired(target.expiresAt, now)) return fail("OTP_EXPIRED");
  return ok(target);
}
