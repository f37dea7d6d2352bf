import { EMAIL_KINDS, EMAILS, type EmailKind, type EmailMessage } from "@otp/email";

/**
 * A row that can never be delivered as it stands (unknown kind, missing
 * fields): retrying cannot help, so the dispatcher gives it up as FAILED.
 * Messages never include the code.
 */
export class UndeliverablePayloadError extends Error {
  override readonly name = "UndeliverablePayloadError";
}

/**
 * Turns a decrypted outbox payload into the message the email renderer takes, validated by
 * the kind's schema in `@otp/email` (`EMAILS`), the one declaration of each email's fields.
 * Code kinds carry `code` and `expiresInSeconds` (the code's lifetime as issued);
 * PASSWORD_CHANGED is dated by its row, the moment it was queued.
 */
export function toEmailMessage(
  payload: unknown,
  row: { kind: string; createdAt: Date },
): EmailMessage {
  if (typeof payload !== "object" || payload === null) {
    throw new UndeliverablePayloadError("payload is not an object");
  }
  const { v, kind, to } = payload as { v?: unknown; kind?: unknown; to?: unknown };
  if (v !== 1) {
    throw new UndeliverablePayloadError(`unknown payload version ${JSON.stringify(v)}`);
  }
  if (kind !== row.kind) {
    throw new UndeliverablePayloadError(
      `payload kind ${JSON.stringify(kind)} differs from the row's kind ${JSON.stringify(row.kind)}`,
    );
  }
  if (!isEmailKind(kind)) {
    throw new UndeliverablePayloadError(`no email template for kind ${JSON.stringify(kind)}`);
  }
  if (typeof to !== "string" || to.trim() === "") {
    throw new UndeliverablePayloadError("payload has no recipient");
  }
  const data = EMAILS[kind].safeParse(payload);
  if (!data.success) {
    // Names the fields only: an issue's message or input could carry the code.
    const fields = data.error.issues.map((issue) => {
      const path = issue.path.join(".");
      const value = valueAt(payload, issue.path);
      return value === undefined || value === "" ? `no ${path}` : `no valid ${path}`;
    });
    throw new UndeliverablePayloadError(`${kind} payload has ${fields.join(", ")}`);
  }
  if (kind === "PASSWORD_CHANGED") return { kind, to, changedAt: row.createdAt };
  return { kind, to, ...data.data } as EmailMessage;
}

function isEmailKind(kind: unknown): kind is EmailKind {
  return (EMAIL_KINDS as readonly unknown[]).includes(kind);
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}
