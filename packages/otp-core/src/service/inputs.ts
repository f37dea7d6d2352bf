import { z } from "zod";
import { ACCOUNT_DEFAULT_LOCALE } from "../db/schema.js";
import {
  CLEANUP_BATCH_SIZE,
  DEFAULT_OUTBOX_RETENTION_DAYS,
  DEFAULT_SECURITY_EVENT_RETENTION_DAYS,
  OUTBOX_RETENTION_DAYS_RANGE,
  SECURITY_EVENT_RETENTION_DAYS_RANGE,
} from "../repositories/cleanup.js";
import { isWellFormedCode } from "../rules/code.js";
import { LINK_TOKEN_PATTERN } from "../rules/code-hash.js";
import { CODE_TYPES, MAILED_CODE_TYPES } from "../rules/code-types.js";
import { RESENDABLE_CODE_TYPES } from "../rules/eligibility.js";
import {
  isBlockedPassword,
  normalizePassword,
  PASSWORD_MAX_LENGTH,
  passwordLength,
} from "../rules/password-rules.js";
import { DEFAULT_POLICY, type PasscodePolicy } from "../rules/policy.js";

/** The default minimum (the policy may set another: use `policy.passwordMinLength`). */
export const PASSWORD_MIN_LENGTH = DEFAULT_POLICY.passwordMinLength;
export { PASSWORD_MAX_LENGTH };
export const EMAIL_MAX_LENGTH = 254;

/** Addresses are compared and stored lower-cased and trimmed. */
export const emailSchema = z
  .string({ error: "Enter your email address." })
  .trim()
  .toLowerCase()
  .min(1, { error: "Enter your email address." })
  .max(EMAIL_MAX_LENGTH, { error: `An email address has at most ${EMAIL_MAX_LENGTH} characters.` })
  .pipe(z.email({ error: "Enter a valid email address, like name@example.com." }));

/**
 * A new password (registration, reset): NIST SP 800-63B-4 3.1.1.2, see
 * rules/password-rules.ts. Normalised (NFKC) on the way in, so what is hashed
 * is what a later sign-in compares.
 */
export function passwordSchemaFor(minLength: number) {
  return z
    .string({ error: "Enter a password." })
    .transform(normalizePassword)
    .refine((value) => passwordLength(value) >= minLength, {
      error: `Use at least ${minLength} characters for your password. A few words you can remember work well.`,
    })
    .refine((value) => passwordLength(value) <= PASSWORD_MAX_LENGTH, {
      error: `Use at most ${PASSWORD_MAX_LENGTH} characters for your password.`,
    })
    .refine((value) => value.trim().length > 0, { error: "A password cannot be only spaces." })
    .refine((value) => !isBlockedPassword(value), {
      error:
        "This password is on a list of common or breached passwords, so it is easy to guess. Choose another one.",
    });
}

/** A new password under the default policy. */
export const passwordSchema = passwordSchemaFor(PASSWORD_MIN_LENGTH);

/** A binding token as the register answer handed it out (base64url, 256 bits). */
export const bindingTokenSchema = z.string().min(20).max(200);

/** The token of the link mailed beside a code (`<passcode id>.<secret>`, rules/code-hash.ts). */
export const linkTokenSchema = z
  .string({ error: "Open the link from the email, or paste all of it." })
  .trim()
  .max(200, { error: "That is not the token of a link from our emails." })
  .regex(LINK_TOKEN_PATTERN, { error: "Open the link from the email, or paste all of it." });

/** A code as typed or pasted: spaces and dashes are ignored, then it must be exactly N digits. */
export function codeSchema(codeLength: number) {
  return z
    .string({ error: "Enter the code from the email." })
    .transform((value) => value.replace(/[\s-]/g, ""))
    .refine((value) => isWellFormedCode(value, codeLength), {
      error: `The code is ${codeLength} digits.`,
    });
}

export const codeTypeSchema = z.enum(CODE_TYPES);
export const resendableCodeTypeSchema = z.enum(RESENDABLE_CODE_TYPES, {
  error: `Codes can be sent again for: ${RESENDABLE_CODE_TYPES.join(", ")}.`,
});

/** Events per page of "Recent activity", unless the caller asks for another size (at most 100). */
export const SECURITY_EVENTS_PAGE_SIZE = 20;
export const SECURITY_EVENTS_MAX_PAGE_SIZE = 100;

/** Where the next page of events starts: the last event shown, as an opaque string. */
export function encodeEventCursor(cursor: { at: Date; id: string }): string {
  return Buffer.from(`${cursor.at.toISOString()}|${cursor.id}`).toString("base64url");
}

const CURSOR_MESSAGE = "Use the nextCursor of the previous page.";
/** What `encodeEventCursor` writes: `Date.toISOString()` (years 0001-9999) and a uuid. */
const CURSOR_TEXT = /^((\d{4})-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)\|([0-9a-f-]{36})$/i;

/**
 * Only what `encodeEventCursor` writes is a cursor: a crafted one (year 0, a six-digit year,
 * `2025-02-30`, garbage) is INVALID_INPUT, never a statement the database refuses.
 */
const eventCursorSchema = z
  .string({ error: CURSOR_MESSAGE })
  .max(200, { error: CURSOR_MESSAGE })
  .transform((value, ctx) => {
    const [, iso = "", year = "0", id = ""] =
      CURSOR_TEXT.exec(Buffer.from(value, "base64url").toString()) ?? [];
    const at = new Date(iso);
    // A rolled-over date (2025-02-30 reads as 2025-03-02) is not one encodeEventCursor wrote.
    const written = !Number.isNaN(at.getTime()) && at.toISOString() === iso;
    if (Number(year) < 1 || !written || !z.uuid().safeParse(id).success) {
      ctx.addIssue({ code: "custom", message: CURSOR_MESSAGE });
      return z.NEVER;
    }
    return { at, id };
  });

/**
 * A language the product ships catalogues for. The list is not the core's: the service is
 * given it (`OtpServiceOptions.locales`, the email package's `SUPPORTED_LOCALES`).
 */
export function localeSchema(locales: readonly string[]) {
  return z.enum(locales as [string, ...string[]], {
    error: `Choose one of the supported languages: ${locales.join(", ")}.`,
  });
}

/** The languages a service speaks when not told otherwise: the column's default only. */
export const DEFAULT_LOCALES: readonly string[] = [ACCOUNT_DEFAULT_LOCALE];

/** The service's input schemas; exported so transports validate with the same rules. */
export function createInputSchemas(
  policy: PasscodePolicy,
  locales: readonly string[] = DEFAULT_LOCALES,
) {
  const code = codeSchema(policy.codeLength);
  const newPassword = passwordSchemaFor(policy.passwordMinLength);
  const locale = localeSchema(locales);
  return {
    register: z.object({
      email: emailSchema,
      password: newPassword,
      // A new account's language; an existing account keeps its own (ADR 15).
      locale: locale.optional(),
    }),
    setLocale: z.object({ userId: z.uuid(), locale }),
    verifyEmail: z.object({ email: emailSchema, code }),
    resendCode: z.object({
      email: emailSchema,
      codeType: resendableCodeTypeSchema.default("VERIFICATION"),
    }),
    requestCode: z.object({ email: emailSchema }),
    signIn: z.object({
      email: emailSchema,
      // Any password as typed (the rules apply when one is chosen); normalised when compared.
      password: z
        .string({ error: "Enter your password." })
        .min(1, { error: "Enter your password." })
        .refine((value) => passwordLength(value) <= PASSWORD_MAX_LENGTH, {
          error: `A password has at most ${PASSWORD_MAX_LENGTH} characters.`,
        }),
    }),
    signInWithCode: z.object({ email: emailSchema, code }),
    resetPassword: z.object({ email: emailSchema, code, newPassword }),
    requestEmailChange: z.object({ userId: z.uuid(), newEmail: emailSchema }),
    confirmEmailChange: z.object({ userId: z.uuid(), code }),
    // The password, or the REAUTHENTICATION code (after requestReauthenticationCode): one of the two.
    reauthenticate: z
      .object({
        password: z
          .string()
          .min(1, { error: "Enter your password." })
          .refine((value) => passwordLength(value) <= PASSWORD_MAX_LENGTH, {
            error: `A password has at most ${PASSWORD_MAX_LENGTH} characters.`,
          })
          .optional(),
        otp: code.optional(),
      })
      .refine((value) => (value.password === undefined) !== (value.otp === undefined), {
        error: "Send your password, or the code we emailed you: one of the two.",
        path: ["password"],
      }),
    sessionToken: z.string().min(20).max(200),
    unlock: z.object({
      token: z
        .string({ error: "Open the link from the email, or paste all of it." })
        .trim()
        .min(20, { error: "Open the link from the email, or paste all of it." })
        .max(200, { error: "That is not an unlock link's token." }),
    }),
    describeLink: z.object({
      token: linkTokenSchema.describe(
        "The token of the link in the email (`APP_URL/link?token=...`), as it is.",
      ),
    }),
    // newPassword: required for a password-reset link only (the service says so).
    useLink: z.object({ token: linkTokenSchema, newPassword: newPassword.optional() }),
    revokeSession: z.object({ sessionId: z.uuid({ error: "Not a valid session id." }) }),
    securityEvents: z.object({
      cursor: eventCursorSchema
        .nullish()
        .describe("Where the page starts: the previous page's `nextCursor`; absent for the first."),
      // What tRPC's infinite queries send beside the cursor; pages only go back in time.
      direction: z
        .enum(["forward", "backward"])
        .optional()
        .describe(
          "Sent by tRPC's infinite queries beside the cursor; either value gives the same page: pages always go back in time, newest first.",
        ),
      // Coerced: a REST query string carries it as text.
      limit: z.coerce
        .number({ error: "The page size is a whole number." })
        .int({ error: "The page size is a whole number." })
        .min(1, { error: "Ask for at least one event." })
        .max(SECURITY_EVENTS_MAX_PAGE_SIZE, {
          error: `Ask for at most ${SECURITY_EVENTS_MAX_PAGE_SIZE} events.`,
        })
        .default(SECURITY_EVENTS_PAGE_SIZE)
        .describe(`Events per page (1-${SECURITY_EVENTS_MAX_PAGE_SIZE}).`),
    }),
    issueCode: z.object({
      userId: z.uuid({ error: "Not a valid account id." }),
      codeType: z.enum(MAILED_CODE_TYPES),
    }),
    cleanup: z.object({
      used: z.boolean().default(true),
      expired: z.boolean().default(true),
      olderThan: z.date().nullable().default(null),
      outboxRetentionDays: z
        .number()
        .int()
        .min(OUTBOX_RETENTION_DAYS_RANGE.min)
        .max(OUTBOX_RETENTION_DAYS_RANGE.max)
        .default(DEFAULT_OUTBOX_RETENTION_DAYS),
      securityEventRetentionDays: z
        .number()
        .int()
        .min(SECURITY_EVENT_RETENTION_DAYS_RANGE.min)
        .max(SECURITY_EVENT_RETENTION_DAYS_RANGE.max)
        .default(DEFAULT_SECURITY_EVENT_RETENTION_DAYS),
      batchSize: z.number().int().positive().default(CLEANUP_BATCH_SIZE),
    }),
  };
}

export type InputSchemas = ReturnType<typeof createInputSchemas>;
export type RegisterInput = z.input<InputSchemas["register"]>;
export type VerifyEmailInput = z.input<InputSchemas["verifyEmail"]>;
export type ResendCodeInput = z.input<InputSchemas["resendCode"]>;
export type IssueCodeInput = z.input<InputSchemas["issueCode"]>;
export type CleanupInput = z.input<InputSchemas["cleanup"]>;
export type RequestCodeInput = z.input<InputSchemas["requestCode"]>;
export type SignInInput = z.input<InputSchemas["signIn"]>;
export type SignInWithCodeInput = z.input<InputSchemas["signInWithCode"]>;
export type ResetPasswordInput = z.input<InputSchemas["resetPassword"]>;
export type RequestEmailChangeInput = z.input<InputSchemas["requestEmailChange"]>;
export type RevokeSessionInput = z.input<InputSchemas["revokeSession"]>;
export type SecurityEventsInput = z.input<InputSchemas["securityEvents"]>;
export type ConfirmEmailChangeInput = z.input<InputSchemas["confirmEmailChange"]>;
export type ReauthenticateInput = z.input<InputSchemas["reauthenticate"]>;
export type UnlockInput = z.input<InputSchemas["unlock"]>;
export type SetLocaleInput = z.input<InputSchemas["setLocale"]>;
export type DescribeLinkInput = z.input<InputSchemas["describeLink"]>;
export type UseLinkInput = z.input<InputSchemas["useLink"]>;

/** Field errors keyed by field name, for INVALID_INPUT. */
export function fieldErrorsOf(error: z.ZodError): Record<string, string[]> {
  const fields: Record<string, string[]> = {};
  for (const issue of error.issues) {
    const key = issue.path.length > 0 ? issue.path.join(".") : "_";
    const messages = fields[key] ?? [];
    messages.push(issue.message);
    fields[key] = messages;
  }
  return fields;
}
