/**
 * The emails that tell an account's owner what happened (sealed for the
 * outbox) and the security events recorded beside them.
 */

import type { StoredEmail } from "@otp/email/kinds";
import { newRowId } from "../../db/row-id.js";
import { queuePasswordNoticeOnce } from "../../repositories/account-failures.js";
import type { QueuedNotice } from "../../repositories/passcode-effects.js";
import type { SecurityEventToRecord } from "../../repositories/security-events.js";
import {
  type ClientContext,
  describeClient,
  deviceLabel,
  type StoredClient,
} from "../../rules/client-context.js";
import type { ServiceContext } from "../context.js";
import { sealOutboxPayload } from "../outbox-payload.js";
import { currentTraceContext } from "../trace-context.js";

/** A notice sealed for the outbox under a new row id, with the request's trace context. */
export function sealNotice(ctx: ServiceContext, payload: StoredEmail): QueuedNotice {
  const id = newRowId();
  return {
    id,
    kind: payload.kind,
    payload: sealOutboxPayload(ctx.keys.outboxEncryption, id, { v: 1, ...payload }),
    traceContext: currentTraceContext(),
  };
}

export function event(type: SecurityEventToRecord["type"], client: StoredClient, now: Date) {
  return { type, client, now } satisfies SecurityEventToRecord;
}

/** The "new sign-in" notice for the account's owner, sealed; queued only if the device is new. */
export function newSignInNotice(
  ctx: ServiceContext,
  to: string,
  locale: string,
  client: StoredClient,
  now: Date,
): QueuedNotice {
  return sealNotice(ctx, {
    kind: "NEW_SIGN_IN",
    to,
    locale,
    signedInAt: now.toISOString(),
    ip: client.ip ?? "unknown",
    device: deviceLabel(client.userAgent),
  });
}

/**
 * The first time an address's password budget runs out in a window: mark
 * the window and queue the notice to its owner (time, IP, browser and
 * system), in one statement; nothing is queued for an unknown address.
 */
export async function noticePasswordLimit(
  ctx: ServiceContext,
  email: string,
  key: string,
  windowStartedAt: Date,
  now: Date,
  client: ClientContext,
  locale: string | undefined,
): Promise<void> {
  const who = describeClient(client);
  const queued = await queuePasswordNoticeOnce(ctx.db, {
    recipientKey: key,
    email,
    windowStartedAt,
    now,
    notice: sealNotice(ctx, {
      kind: "PASSWORD_LIMIT_REACHED",
      to: email,
      ...(locale === undefined ? {} : { locale }),
      attempt: { at: now.toISOString(), ...who },
    }),
  });
  if (queued) ctx.onEmailQueued();
}
