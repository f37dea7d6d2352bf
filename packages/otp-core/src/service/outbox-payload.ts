import {
  EMAIL_KINDS,
  type EmailKind,
  type StoredEmail,
  type StoredEmailData,
} from "@otp/email/kinds";
import { openPayload, sealPayload } from "../crypto/sealed-payload.js";
import type { MailedCodeType } from "../rules/code-types.js";

/**
 * Message kinds the outbox carries: the kinds of `@otp/email`'s one declaration of each
 * email (`EMAILS`), which the email package renders one template per kind for.
 */
export const OUTBOX_KINDS = EMAIL_KINDS;
export type OutboxKind = EmailKind;

export const OUTBOX_KIND_BY_CODE_TYPE = {
  VERIFICATION: "VERIFICATION_CODE",
  PASSWORD_RESET: "PASSWORD_RESET_CODE",
  SIGN_IN: "SIGN_IN_CODE",
  EMAIL_CHANGE: "EMAIL_CHANGE_CODE",
  REAUTHENTICATION: "REAUTHENTICATION_CODE",
} as const satisfies Record<MailedCodeType, OutboxKind>;

export { NO_RECIPIENT_KIND } from "../repositories/outbox.js";

/**
 * What an outbox row carries, sealed, as the service writes it: version 1 of the envelope and
 * one email as `@otp/email` declares it stored (`StoredEmail`: kind, recipient, the account's
 * language, the kind's fields). The only place a plaintext code exists after issue.
 */
export type QueuedOutboxPayload = { v: 1 } & StoredEmail;

type UnionToIntersection<U> = (U extends unknown ? (value: U) => void : never) extends (
  value: infer I,
) => void
  ? I
  : never;

/**
 * An outbox payload as read back, before delivery validates it against its kind's schema:
 * the envelope and any kind's fields, each optional (every field derived from `EMAILS`).
 */
export type OutboxPayload = { v: 1; kind: OutboxKind; to: string; locale?: string } & Partial<
  UnionToIntersection<StoredEmailData>
>;

export function sealOutboxPayload(
  key: Uint8Array,
  outboxId: string,
  payload: QueuedOutboxPayload,
): Buffer {
  return sealPayload(key, outboxId, JSON.stringify(payload));
}

export function openOutboxPayload(
  key: Uint8Array,
  outboxId: string,
  sealed: Uint8Array,
): OutboxPayload {
  return JSON.parse(openPayload(key, outboxId, sealed)) as OutboxPayload;
}
