import type { OutboxPayload } from "@otp/core";
import { EMAIL_KINDS, type EmailKind, type EmailMessage, isCodeEmailKind } from "@otp/email";

/**
 * A row that can never be delivered as it stands (unknown kind, missing
 * fields): retrying cannot help, so the dispatcher gives it up as FAILED.
 * Messages never include the code.
 */
export class UndeliverablePayloadError extends Error {
  override readonly name = "UndeliverablePayloadError";
}

/**
 * Turns a decrypted outbox payload into the message the email renderer takes.
 * Code kinds carry `code` and `expiresInSeconds` (the code's lifetime as
 * issued); PASSWORD_CHANGED carries the moment it was queued.
 */
export function toEmailMessage(
  payload: OutboxPayload,
  row: { kind: string; createdAt: Date },
): EmailMessage {
  if (typeof payload !== "object" || payload === null) {
    throw new UndeliverablePayloadError("payload is not an object");
  }
  if (payload.v !== 1) {
    throw new UndeliverablePayloadError(`unknown payload version ${JSON.stringify(payload.v)}`);
  }
  if (payload.kind !== row.kind) {
    throw new UndeliverablePayloadError(
      `payload kind ${JSON.stringify(payload.kind)} differs from the row's kind ${JSON.stringify(row.kind)}`,
    );
  }
  const kind = payload.kind as string;
  if (!isEmailKind(kind)) {
    throw new UndeliverablePayloadError(`no email template for kind ${JSON.stringify(kind)}`);
  }
  const to = payload.to;
  if (typeof to !== "string" || to.trim() === "") {
    throw new UndeliverablePayloadError("payload has no recipient");
  }
  if (isCodeEmailKind(kind)) {
    if (typeof payload.code !== "string" || payload.code === "") {
      throw new UndeliverablePayloadError(`${kind} payload has no code`);
    }
    const ttl = payload.ttlSeconds;
    if (typeof ttl !== "number" || !Number.isInteger(ttl) || ttl <= 0) {
      throw new UndeliverablePayloadError(`${kind} payload has no valid ttlSeconds`);
    }
    if (typeof payload.linkToken !== "string" || payload.linkToken === "") {
      throw new UndeliverablePayloadError(`${kind} payload has no linkToken`);
    }
    return { kind, to, code: payload.code, expiresInSeconds: ttl, linkToken: payload.linkToken };
  }
  switch (kind) {
    case "PASSWORD_CHANGED":
      return { kind, to, changedAt: row.createdAt };
    case "ALREADY_REGISTERED":
      return { kind, to };
    case "EMAIL_CHANGED":
      if (typeof payload.newEmail !== "string" || payload.newEmail === "") {
        throw new UndeliverablePayloadError("EMAIL_CHANGED payload has no newEmail");
      }
      return { kind, to, newEmail: payload.newEmail };
    case "NEW_SIGN_IN": {
      const signedInAt = new Date(payload.signedInAt ?? "");
      if (Number.isNaN(signedInAt.getTime())) {
        throw new UndeliverablePayloadError("NEW_SIGN_IN payload has no valid signedInAt");
      }
      return {
        kind,
        to,
        signedInAt,
        ip: payload.ip ?? "unknown",
        device: payload.device ?? "Unknown device",
      };
    }
    case "PASSWORD_LIMIT_REACHED": {
      const attempt = payload.attempt;
      if (attempt === undefined || typeof attempt.at !== "string") {
        throw new UndeliverablePayloadError("PASSWORD_LIMIT_REACHED payload has no attempt");
      }
      return {
        kind,
        to,
        at: new Date(attempt.at),
        ip: String(attempt.ip),
        browser: String(attempt.browser),
        os: String(attempt.os),
      };
    }
    case "ACCOUNT_LOCKED":
      if (typeof payload.unlockToken !== "string" || typeof payload.expiresAt !== "string") {
        throw new UndeliverablePayloadError("ACCOUNT_LOCKED payload has no unlock token");
      }
      return {
        kind,
        to,
        unlockToken: payload.unlockToken,
        expiresAt: new Date(payload.expiresAt),
      };
  }
}

function isEmailKind(kind: string): kind is EmailKind {
  return (EMAIL_KINDS as readonly string[]).includes(kind);
}
