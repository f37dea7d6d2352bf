import { z } from "zod";

/**
 * Every email the product sends, declared once: each kind with the fields the outbox stores
 * for it (`z.input`, JSON: moments as ISO 8601 strings) and the message the renderer takes
 * (`z.output`). The kinds' list, the message type and the outbox payload's type and validation
 * all derive from this object; a new email or field is added here and nowhere else.
 *
 * Besides these fields every stored email has `kind`, `to` and an optional `locale` (the
 * recipient account's language when it was queued). The key order is the preview index's.
 * Imports nothing but zod (`@otp/email/kinds`), so the core can declare its outbox with it.
 */

/** A browser not on the core's fixed list, as stored in events and emails (worded per language). */
export const UNKNOWN_BROWSER = "an unknown browser";
/** A system not on the core's fixed list, as stored in events and emails (worded per language). */
export const UNKNOWN_SYSTEM = "unknown";

/** A moment: stored as an ISO 8601 string, handed to the renderer as a `Date`. */
const moment = z.iso.datetime({ offset: true }).transform((value) => new Date(value));

/** A code email: the code, its lifetime as issued, and the link beside it. */
const codeEmail = z
  .object({
    /** The passcode exactly as the user must type it. */
    code: z.string().min(1),
    /** The code's lifetime as issued, stated in words ("10 minutes"). */
    ttlSeconds: z.number().int().positive(),
    /**
     * The token of the link beside the code (`<baseUrl>/link#token=...`, links.ts): the same credential as
     * the code, for one tap on the device that got the email.
     */
    linkToken: z.string().min(1),
    /** When the code expires; stored for the record, the email states `ttlSeconds`. */
    expiresAt: z.string().optional(),
  })
  .transform(({ code, ttlSeconds, linkToken }) => ({
    code,
    expiresInSeconds: ttlSeconds,
    linkToken,
  }));

export const EMAILS = {
  VERIFICATION_CODE: codeEmail,
  PASSWORD_RESET_CODE: codeEmail,
  SIGN_IN_CODE: codeEmail,
  /** Sent to the new address, which `to` names in the body. */
  EMAIL_CHANGE_CODE: codeEmail,
  /** Sent to the current address: proves who is at a signed-in session before a sensitive step. */
  REAUTHENTICATION_CODE: codeEmail,
  /** When the password changed; the renderer's clock if absent. */
  PASSWORD_CHANGED: z.object({ changedAt: moment.optional() }),
  ALREADY_REGISTERED: z.object({}),
  /**
   * Sent to the OLD address once the account moved to `newEmail`, with the token of the
   * single-use link that undoes the change (`<baseUrl>/link#token=...`, links.ts) and until when it works.
   */
  EMAIL_CHANGED: z.object({
    newEmail: z.string().min(1),
    undoToken: z.string().regex(/^[0-9a-f-]{36}\.[A-Za-z0-9_-]{20,200}$/),
    undoExpiresAt: moment,
  }),
  /**
   * The password budget of the account ran out: the attempt that used it up. `browser` and `os`
   * are names from the core's fixed lists, or `UNKNOWN_BROWSER` / `UNKNOWN_SYSTEM`, which each
   * language words itself.
   */
  PASSWORD_LIMIT_REACHED: z
    .object({
      attempt: z.object({ at: moment, ip: z.string(), browser: z.string(), os: z.string() }),
    })
    .transform(({ attempt }) => attempt),
  /** The account hit the cap on consecutive failures: the single-use unlock link's token. */
  ACCOUNT_LOCKED: z.object({ unlockToken: z.string().min(1), expiresAt: moment }),
  /** A sign-in from a device the account had not used: when, from where, on what. */
  NEW_SIGN_IN: z.object({
    signedInAt: moment,
    ip: z.string().default("unknown"),
    device: z.string().default("Unknown device"),
  }),
} as const;

type Emails = typeof EMAILS;
export type EmailKind = keyof Emails;

/** Every message this package can send, in the order of the preview index. */
export const EMAIL_KINDS = Object.keys(EMAILS) as [EmailKind, ...EmailKind[]];

/** The kinds that carry a one-time passcode (and its link); the others are notices. */
export type CodeEmailKind = {
  [K in EmailKind]: Emails[K] extends typeof codeEmail ? K : never;
}[EmailKind];
export const CODE_EMAIL_KINDS = EMAIL_KINDS.filter(
  (kind) => EMAILS[kind] === codeEmail,
) as readonly CodeEmailKind[];

export function isCodeEmailKind(kind: EmailKind): kind is CodeEmailKind {
  return EMAILS[kind] === codeEmail;
}

/** `z.object({})`'s type is `Record<string, never>`: that is no fields, not "no other keys". */
type FieldsOf<T> = string extends keyof T ? Record<never, never> : T;

/** A code email's data as the renderer takes it. */
export type CodeEmailData = z.output<typeof codeEmail>;

/** What each kind needs besides the recipient, as the renderer takes it. */
export type EmailDataByKind = { [K in EmailKind]: FieldsOf<z.output<Emails[K]>> };

/**
 * One email to render: the kind, the recipient and that kind's data. Distributes over
 * the kinds, so `EmailMessage` is a union discriminated by `kind`.
 */
export type EmailMessage<K extends EmailKind = EmailKind> = K extends EmailKind
  ? { kind: K; to: string } & EmailDataByKind[K]
  : never;

/** A kind's fields as the outbox stores them (a kind with no fields: none). */
export type StoredEmailData<K extends EmailKind = EmailKind> = K extends EmailKind
  ? FieldsOf<z.input<Emails[K]>>
  : never;

/**
 * One email as the outbox stores it (sealed, JSON): the kind, the recipient, the account's
 * language and that kind's stored fields. A union discriminated by `kind`.
 */
export type StoredEmail<K extends EmailKind = EmailKind> = K extends EmailKind
  ? { kind: K; to: string; locale?: string } & StoredEmailData<K>
  : never;
