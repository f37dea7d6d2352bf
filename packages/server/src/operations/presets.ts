/**
 * What the operations of several flows share: the examples of the OpenAPI
 * document, the messages, the answers that set or clear cookies, and the
 * presets (the code-check fields, the address-based code request).
 */
import {
  CODE_TYPES,
  type NewSession,
  type OtpService,
  type RequestCodeInput,
  type Result,
  type VerifiedEmail,
} from "@otp/core";
import { ok } from "@otp/core/internal";
import { z } from "zod";
import { type Context, keepDevice } from "../trpc/context.js";
import { defineOperation } from "./define.js";

export const EXAMPLE_EMAIL = "person@example.com";
export const EXAMPLE_PASSWORD = "correct horse battery staple";
export const EXAMPLE_CODE = "12345678";
/** A token of the right shape (`APP_URL/link#token=...`); it names no code, so it answers LINK_INVALID. */
export const EXAMPLE_LINK_TOKEN =
  "0b0e4a3c-5d1f-4e2a-9c7b-3f6d8e1a2b4c.q2Vb0x7m1kQe3T9rX8yZp4LwN6uJc5AaHs0dFg2iK1E";

/** What a wrong, old or used code can answer, on every code-checking operation. */
export const CODE_FAILURES = [
  "ACCOUNT_LOCKED",
  "OTP_INVALID",
  "OTP_EXPIRED",
  "OTP_ALREADY_USED",
  "OTP_REPLACED",
  "TOO_MANY_ATTEMPTS",
] as const;

/**
 * The fields every code-checking operation shares (verify, sign in with a code,
 * reset the password, confirm an email change): a mutation that spends the
 * guessing budget and answers what a wrong, old or used code can answer. Its
 * REST body says `otp` for the procedure's `code`, as the seed's API did.
 */
export const codeCheck = {
  kind: "mutation",
  failures: CODE_FAILURES,
  limit: "guess",
  session: false,
} as const;

/** The REST binding of a code-checking operation (`otp` for `code`). */
export function codeCheckRoute(
  path: `/api/v1/${string}/`,
  example: Readonly<Record<string, unknown>>,
  renames: Readonly<Record<string, string>> = {},
) {
  return { method: "POST", path, renames: { otp: "code", ...renames }, example } as const;
}

export const detail = z.string().describe("What happened, in words for people.");
export const linkStep = z
  .enum(CODE_TYPES)
  .describe("The step the link stands for: the code type of the email it came in.");
export const acceptedAnswer = z.object({ email: z.string(), message: detail });

export const MESSAGES = {
  registered: "Check your email for a verification code.",
  verifiedAndSignedIn: "Your email address is verified and you are signed in.",
  verifiedSignIn: "Your email address is verified. Sign in with your password.",
  linkVerify: "Verify your email address.",
  linkSignIn: "Sign in to your account.",
  linkResetPassword: "Choose a new password.",
  linkEmailChange: "Move your account to this address.",
  verifiedSetPassword:
    "Your email address is verified. This device did not create the account, so no password was set: choose one with a password reset.",
  resent: "If this address needs a code, a new one is on its way. Earlier codes no longer work.",
  signInCodeSent:
    "If this address has an account, a sign-in code is on its way. Earlier codes no longer work.",
  resetCodeSent:
    "If this address has an account, a password-reset code is on its way. Earlier codes no longer work.",
  passwordReset:
    "Your password was changed. Every session was signed out; sign in with the new password.",
  signedIn: "You are signed in.",
  signedOut: "You are signed out.",
  unlocked:
    "Your account is unlocked. Sign in again; if the failed attempts were not yours, choose a new password.",
  emailChangeRequested: "If the new address can be used, a code is on its way to it.",
  emailChanged: "Your email address was changed. We told your old address.",
  signedOutEverywhere: "Every session of your account was signed out.",
  sessionRevoked: "That session was signed out.",
  localeSet: "Your language was saved.",
} as const;

/** What re-authentication and the email change's undo link say (ADR 20). */
export const REAUTHENTICATION_MESSAGES = {
  reauthenticated: "Thank you: you can change how your account is reached for the next minutes.",
  reauthenticationCodeSent: "A code is on its way to your address.",
  linkReauthenticate: "Confirm that it is you.",
  linkUndoEmailChange: "Give your account this address back and sign out everywhere.",
  emailChangeUndone:
    "Your account has its address back, and every session was signed out. Sign in again; if someone else changed it, choose a new password.",
} as const;

/** What the page of each kind of link says it will do. */
export const LINK_MESSAGES = {
  VERIFICATION: MESSAGES.linkVerify,
  SIGN_IN: MESSAGES.linkSignIn,
  PASSWORD_RESET: MESSAGES.linkResetPassword,
  EMAIL_CHANGE: MESSAGES.linkEmailChange,
  REAUTHENTICATION: REAUTHENTICATION_MESSAGES.linkReauthenticate,
  EMAIL_CHANGE_UNDO: REAUTHENTICATION_MESSAGES.linkUndoEmailChange,
} as const;

/** The service's value shaped into the answer; a failure as it is. */
export function answer<T, A>(result: Result<T>, shape: (value: T) => A): Result<A> {
  return result.ok ? ok(shape(result.value)) : result;
}

/**
 * Sets a new session's cookie, after ending the session the client presented,
 * if any (ASVS 5.0 7.2.4: a new session on every authentication, the old one
 * ended), whichever account it was of.
 */
async function startSession(ctx: Context, session: { token: string; expiresAt: Date }) {
  const presented = ctx.session.read();
  if (presented !== undefined && presented !== session.token) await ctx.service.signOut(presented);
  ctx.session.set(session.token, session.expiresAt);
}

/** A new session: its cookie is set, and the answer says who is signed in. */
export async function signedIn(ctx: Context, session: Result<NewSession>) {
  if (session.ok) {
    await startSession(ctx, session.value);
    keepDevice(ctx, session.value.deviceToken);
  }
  return answer(session, (value) => ({ email: value.email, message: MESSAGES.signedIn }));
}

/**
 * A verification's answer, by code or by link: the binding cookie spent, the
 * device kept, and, from the registering client, the session cookie set (ADR 10).
 */
export async function verifiedAnswer(
  ctx: Context,
  verified: Result<VerifiedEmail & { deviceToken: string }>,
) {
  if (!verified.ok) return verified;
  ctx.registration.clear();
  keepDevice(ctx, verified.value.deviceToken);
  const { session, passwordActive } = verified.value;
  if (session !== null) await startSession(ctx, session);
  return ok({
    email: verified.value.email,
    verified: true as const,
    signedIn: session !== null,
    passwordActive,
    message:
      session !== null
        ? MESSAGES.verifiedAndSignedIn
        : passwordActive
          ? MESSAGES.verifiedSignIn
          : MESSAGES.verifiedSetPassword,
  });
}

/** A password reset's answer, by code or by link: every session ended, this cookie too. */
export function resetAnswer(ctx: Context, reset: Result<{ email: string }>) {
  if (reset.ok) ctx.session.clear();
  return answer(reset, ({ email }) => ({ email, message: MESSAGES.passwordReset }));
}

/** An address-based code request: the same answer for every well-formed address. */
export function codeRequest(options: {
  summary: string;
  path: `/api/v1/${string}/`;
  message: string;
  send: (service: OtpService, input: RequestCodeInput) => Promise<Result<{ email: string }>>;
}) {
  return defineOperation({
    kind: "mutation",
    summary: options.summary,
    input: (s) => s.requestCode,
    output: acceptedAnswer,
    failures: ["SEND_LIMIT_REACHED"],
    limit: "send",
    session: false,
    rest: { method: "POST", path: options.path, example: { email: EXAMPLE_EMAIL } },
    run: async (ctx, input) =>
      answer(await options.send(ctx.service, input), (accepted) => ({
        email: accepted.email,
        message: options.message,
      })),
  });
}
