import { openPayload, sealPayload } from "../crypto/sealed-payload.js";
import type { CodeType } from "../rules/code-types.js";

/** Message kinds the outbox carries; the email package renders one template per kind. */
export const OUTBOX_KINDS = [
  "VERIFICATION_CODE",
  "PASSWORD_RESET_CODE",
  "SIGN_IN_CODE",
  "EMAIL_CHANGE_CODE",
  "PASSWORD_CHANGED",
  "ALREADY_REGISTERED",
  "EMAIL_CHANGED",
  "PASSWORD_LIMIT_REACHED",
  "ACCOUNT_LOCKED",
  "NEW_SIGN_IN",
] as const;
export type OutboxKind = (typeof OUTBOX_KINDS)[number];

export const OUTBOX_KIND_BY_CODE_TYPE = {
  VERIFICATION: "VERIFICATION_CODE",
  PASSWORD_RESET: "PASSWORD_RESET_CODE",
  SIGN_IN: "SIGN_IN_CODE",
  EMAIL_CHANGE: "EMAIL_CHANGE_CODE",
} as const satisfies Record<CodeType, OutboxKind>;

/** What an outbox row carries, sealed; the only place a plaintext code exists after issue. */
export interface OutboxPayload {
  v: 1;
  kind: OutboxKind;
  to: string;
  /**
   * The recipient account's language (`users.locale`) when the email was queued, so
   * delivery renders it in that language. Absent in rows queued before it existed: the
   * dispatcher's default then.
   */
  locale?: string;
  code?: string;
  /** Code kinds: the token of the link mailed beside the code (the database keeps its HMAC). */
  linkToken?: string;
  /** The code's lifetime as issued, for "expires in 10 minutes". */
  ttlSeconds?: number;
  expiresAt?: string;
  /** PASSWORD_CHANGED: when. */
  changedAt?: string;
  /** EMAIL_CHANGED: the address the account moved to (the notice goes to the old one). */
  newEmail?: string;
  /** PASSWORD_LIMIT_REACHED: the attempt that used up the budget, as the owner is told of it. */
  attempt?: { at: string; ip: string; browser: string; os: string };
  /** ACCOUNT_LOCKED: the single-use token of the unlock link (the database keeps its SHA-256). */
  unlockToken?: string;
  /** NEW_SIGN_IN: when, from which address, on what device ("Firefox on Windows"). */
  signedInAt?: string;
  ip?: string;
  device?: string;
}

export function sealOutboxPayload(
  key: Uint8Array,
  outboxId: string,
  payload: OutboxPayload,
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
