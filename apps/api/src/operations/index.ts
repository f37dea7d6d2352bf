/**
 * THE declaration of every operation the API serves: tRPC path (the keys) and
 * kind, input, REST binding, per-IP limit group, session, summary. The tRPC
 * router, the REST routes, the limits and the OpenAPI document are derived
 * from this table; nothing about an operation is written anywhere else.
 */
import {
  CODE_TYPES,
  type NewSession,
  type OtpService,
  PASSWORD_MAX_LENGTH,
  REGISTRATION_BINDING_TTL_SECONDS,
  type RequestCodeInput,
  type Result,
  SECURITY_EVENT_TYPES,
  type VerifiedEmail,
} from "@otp/core";
import { ok } from "@otp/core/internal";
import { linkPath } from "@otp/email";
import { z } from "zod";
import { SUPPORTED_LOCALES } from "../locale.js";
import { type Context, clientOf, keepDevice } from "../trpc/context.js";
import { type AnyOperation, defineOperation, type LimitGroup } from "./define.js";
import { REAUTHENTICATION_MESSAGES, reauthentication } from "./reauthentication.js";

export type { AnyOperation, LimitGroup, Operation, RestBinding } from "./define.js";

const EXAMPLE_EMAIL = "person@example.com";
const EXAMPLE_PASSWORD = "correct horse battery staple";
const EXAMPLE_CODE = "12345678";
/** A token of the right shape (`APP_URL/link#token=...`); it names no code, so it answers LINK_INVALID. */
const EXAMPLE_LINK_TOKEN =
  "0b0e4a3c-5d1f-4e2a-9c7b-3f6d8e1a2b4c.q2Vb0x7m1kQe3T9rX8yZp4LwN6uJc5AaHs0dFg2iK1E";

/** What a wrong, old or used code can answer, on every code-checking operation. */
const CODE_FAILURES = [
  "ACCOUNT_LOCKED",
  "OTP_INVALID",
  "OTP_EXPIRED",
  "OTP_ALREADY_USED",
  "OTP_REPLACED",
  "TOO_MANY_ATTEMPTS",
] as const;

const detail = z.string().describe("What happened, in words for people.");
const linkStep = z
  .enum(CODE_TYPES)
  .describe("The step the link stands for: the code type of the email it came in.");
const acceptedAnswer = z.object({ email: z.string(), message: detail });

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

/** What the page of each kind of link says it will do. */
const LINK_MESSAGES = {
  VERIFICATION: MESSAGES.linkVerify,
  SIGN_IN: MESSAGES.linkSignIn,
  PASSWORD_RESET: MESSAGES.linkResetPassword,
  EMAIL_CHANGE: MESSAGES.linkEmailChange,
  REAUTHENTICATION: REAUTHENTICATION_MESSAGES.linkReauthenticate,
  EMAIL_CHANGE_UNDO: REAUTHENTICATION_MESSAGES.linkUndoEmailChange,
} as const;

/** The service's value shaped into the answer; a failure as it is. */
function answer<T, A>(result: Result<T>, shape: (value: T) => A): Result<A> {
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
async function signedIn(ctx: Context, session: Result<NewSession>) {
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
async function verifiedAnswer(
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
function resetAnswer(ctx: Context, reset: Result<{ email: string }>) {
  if (reset.ok) ctx.session.clear();
  return answer(reset, ({ email }) => ({ email, message: MESSAGES.passwordReset }));
}

/** An address-based code request: the same answer for every well-formed address. */
function codeRequest(options: {
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

const auth = {
  register: defineOperation({
    kind: "mutation",
    summary: "Create an account (or refresh an unverified one) and email a verification code.",
    input: (s) => s.register,
    output: acceptedAnswer,
    failures: ["SEND_LIMIT_REACHED"],
    limit: "send",
    session: false,
    rest: {
      method: "POST",
      path: "/api/v1/auth/register/",
      status: 201,
      example: { email: EXAMPLE_EMAIL, password: EXAMPLE_PASSWORD, locale: "de" },
    },
    async run(ctx, input) {
      // The account's language: the one asked for, else the request's Accept-Language (ADR 15).
      const accepted = await ctx.service.register({
        ...input,
        locale: input.locale ?? ctx.locale,
      });
      if (!accepted.ok) return accepted;
      // Every answer binds this client, whatever the account's state (ADR 10).
      ctx.registration.set(
        accepted.value.bindingToken,
        new Date(Date.now() + REGISTRATION_BINDING_TTL_SECONDS * 1000),
      );
      // Every answer marks this client with a device cookie, too; the account
      // learns the device only when its address is proven from it (verification).
      keepDevice(ctx, ctx.service.deviceToken(ctx.device.read()));
      return ok({ email: accepted.value.email, message: MESSAGES.registered });
    },
  }),

  verifyEmail: defineOperation({
    kind: "mutation",
    summary: "Verify an address with the code from its verification email.",
    input: (s) => s.verifyEmail,
    output: z.object({
      email: z.string(),
      verified: z.literal(true),
      signedIn: z
        .boolean()
        .describe(
          "The registering client (its otp_registration cookie) used its own code: the password is active and the session cookie is set.",
        ),
      passwordActive: z
        .boolean()
        .describe("Whether the account has a password now; false: set one by password reset."),
      message: detail,
    }),
    failures: CODE_FAILURES,
    limit: "guess",
    session: false,
    rest: {
      method: "POST",
      path: "/api/v1/auth/verify-email/",
      renames: { otp: "code" },
      example: { email: EXAMPLE_EMAIL, otp: EXAMPLE_CODE },
    },
    run: async (ctx, input) =>
      verifiedAnswer(
        ctx,
        await ctx.service.verifyEmail(input, {
          ...clientOf(ctx),
          bindingToken: ctx.registration.read(),
        }),
      ),
  }),

  resendCode: defineOperation({
    kind: "mutation",
    summary:
      "Send a new code (earlier ones stop working); the answer is the same for every address.",
    input: (s) => s.resendCode,
    output: acceptedAnswer,
    failures: ["SEND_LIMIT_REACHED"],
    limit: "send",
    session: false,
    rest: {
      method: "POST",
      path: "/api/v1/auth/resend-otp/",
      example: { email: EXAMPLE_EMAIL, codeType: "VERIFICATION" },
    },
    run: async (ctx, input) =>
      answer(await ctx.service.resendCode(input), ({ email }) => ({
        email,
        message: MESSAGES.resent,
      })),
  }),

  signIn: defineOperation({
    kind: "mutation",
    summary: "Sign in with email and password; sets the session cookie.",
    input: (s) => s.signIn,
    output: acceptedAnswer,
    failures: ["INVALID_CREDENTIALS", "EMAIL_NOT_VERIFIED", "TOO_MANY_ATTEMPTS", "ACCOUNT_LOCKED"],
    limit: "guess",
    session: false,
    rest: {
      method: "POST",
      path: "/api/v1/auth/sign-in/",
      example: { email: EXAMPLE_EMAIL, password: EXAMPLE_PASSWORD },
    },
    run: async (ctx, input) => signedIn(ctx, await ctx.service.signIn(input, clientOf(ctx))),
  }),

  requestSignInCode: codeRequest({
    summary: "Email a sign-in code; the answer is the same for every address.",
    path: "/api/v1/auth/sign-in-code/",
    message: MESSAGES.signInCodeSent,
    send: (service, input) => service.requestSignInCode(input),
  }),

  signInWithCode: defineOperation({
    kind: "mutation",
    summary: "Sign in with the code from a sign-in email; sets the session cookie.",
    input: (s) => s.signInWithCode,
    output: acceptedAnswer,
    failures: CODE_FAILURES,
    limit: "guess",
    session: false,
    rest: {
      method: "POST",
      path: "/api/v1/auth/sign-in-code/verify/",
      renames: { otp: "code" },
      example: { email: EXAMPLE_EMAIL, otp: EXAMPLE_CODE },
    },
    run: async (ctx, input) =>
      signedIn(ctx, await ctx.service.signInWithCode(input, clientOf(ctx))),
  }),

  requestPasswordReset: codeRequest({
    summary: "Email a password-reset code; the answer is the same for every address.",
    path: "/api/v1/auth/password-reset/",
    message: MESSAGES.resetCodeSent,
    send: (service, input) => service.requestPasswordReset(input),
  }),

  resetPassword: defineOperation({
    kind: "mutation",
    summary: "Set a new password with a reset code; every session is revoked and a notice emailed.",
    input: (s) => s.resetPassword,
    output: acceptedAnswer,
    failures: CODE_FAILURES,
    limit: "guess",
    session: false,
    rest: {
      method: "POST",
      path: "/api/v1/auth/password-reset/confirm/",
      renames: { otp: "code", password: "newPassword" },
      example: { email: EXAMPLE_EMAIL, otp: EXAMPLE_CODE, password: EXAMPLE_PASSWORD },
    },
    run: async (ctx, input) =>
      resetAnswer(ctx, await ctx.service.resetPassword(input, clientOf(ctx))),
  }),

  unlock: defineOperation({
    kind: "mutation",
    summary:
      "Unlock an account locked after too many failed attempts, with the token of the emailed link (single use).",
    input: (s) => s.unlock,
    output: z.object({ message: detail }),
    failures: ["TOKEN_INVALID"],
    limit: "guess",
    session: false,
    rest: {
      method: "POST",
      path: "/api/v1/auth/unlock/",
      example: { token: "q2Vb0x7m1kQe3T9rX8yZp4LwN6uJc5AaHs0dFg2iK1E" },
    },
    run: async (ctx, input) =>
      answer(await ctx.service.unlock(input, clientOf(ctx)), () => ({
        message: MESSAGES.unlocked,
      })),
  }),

  describeLink: defineOperation({
    // A POST that changes nothing: the token is a secret, so it travels in a body, never in a
    // query string (request lines end up in logs, proxies and Referer headers).
    kind: "mutation",
    summary:
      "What the emailed link (APP_URL/link#token=...) will do, for the page that asks to confirm it; changes nothing. The token goes in the body, never in a URL.",
    input: (s) => s.describeLink,
    output: z.object({
      step: linkStep,
      email: z.string().describe("The address the link was mailed to (EMAIL_CHANGE: the new one)."),
      message: detail,
    }),
    failures: ["LINK_INVALID", "OTP_EXPIRED", "OTP_ALREADY_USED"],
    limit: "guess",
    session: false,
    rest: {
      method: "POST",
      path: "/api/v1/auth/verify-link/describe/",
      example: { token: EXAMPLE_LINK_TOKEN },
    },
    run: async (ctx, input) =>
      answer(await ctx.service.describeLink(input), ({ step, email }) => ({
        step,
        email,
        message: LINK_MESSAGES[step],
      })),
  }),

  useLink: defineOperation({
    kind: "mutation",
    summary:
      "Complete the step of the emailed link's token, answered as that step's code route answers (a reset link needs the new password; an email-change link, the account's session).",
    input: (s) => s.useLink,
    output: z.object({
      step: linkStep,
      email: z.string(),
      verified: z.literal(true).optional().describe("VERIFICATION: as verify-email answers."),
      signedIn: z
        .boolean()
        .optional()
        .describe("VERIFICATION: as verify-email answers (the session cookie is set when true)."),
      passwordActive: z.boolean().optional().describe("VERIFICATION: as verify-email answers."),
      message: detail,
    }),
    failures: [
      "LINK_INVALID",
      "OTP_EXPIRED",
      "OTP_ALREADY_USED",
      "TOO_MANY_ATTEMPTS",
      "ACCOUNT_LOCKED",
      "UNAUTHORIZED",
      "EMAIL_TAKEN",
      "REAUTHENTICATION_REQUIRED",
    ],
    limit: "guess",
    session: false,
    rest: {
      method: "POST",
      path: "/api/v1/auth/verify-link/",
      renames: { password: "newPassword" },
      example: { token: EXAMPLE_LINK_TOKEN },
    },
    async run(ctx, input) {
      // An email-change or re-authentication link needs the account's session, as its code does.
      const sessionToken = ctx.session.read();
      const account =
        sessionToken === undefined ? undefined : await ctx.service.authenticate(sessionToken);
      const used = await ctx.service.useLink(input, {
        ...clientOf(ctx),
        bindingToken: ctx.registration.read(),
        signedInUserId: account?.ok === true ? account.value.userId : undefined,
        signedInSession: account?.ok === true ? account.value : undefined,
      });
      if (!used.ok) return used;
      const link = used.value;
      const step = link.step;
      switch (link.step) {
        case "VERIFICATION":
          return answer(await verifiedAnswer(ctx, ok(link.verified)), (value) => ({
            step,
            ...value,
          }));
        case "SIGN_IN":
          return answer(await signedIn(ctx, ok(link.session)), (value) => ({ step, ...value }));
        case "PASSWORD_RESET":
          return answer(resetAnswer(ctx, ok(link.reset)), (value) => ({ step, ...value }));
        case "EMAIL_CHANGE":
          return ok({ step, email: link.changed.email, message: MESSAGES.emailChanged });
        case "REAUTHENTICATION":
          return ok({
            step,
            email: account?.ok === true ? account.value.email : "",
            message: REAUTHENTICATION_MESSAGES.reauthenticated,
          });
        case "EMAIL_CHANGE_UNDO":
          // Every session ended, this client's too.
          ctx.session.clear();
          return ok({
            step,
            email: link.undone.email,
            message: REAUTHENTICATION_MESSAGES.emailChangeUndone,
          });
      }
    },
  }),

  signOut: defineOperation({
    kind: "mutation",
    summary: "End this session and clear its cookie.",
    input: null,
    output: z.object({ message: detail }),
    failures: [],
    limit: "none",
    session: false,
    rest: { method: "POST", path: "/api/v1/auth/sign-out/", example: {} },
    async run(ctx) {
      const token = ctx.session.read();
      if (token !== undefined) {
        const signedOut = await ctx.service.signOut(token);
        if (!signedOut.ok) return signedOut;
      }
      ctx.session.clear();
      return ok({ message: MESSAGES.signedOut });
    },
  }),

  me: defineOperation({
    kind: "query",
    summary: "The signed-in account and its session's expiry.",
    input: null,
    output: z.object({
      userId: z.string(),
      email: z.string(),
      isVerified: z.boolean(),
      locale: z
        .enum(SUPPORTED_LOCALES)
        .describe("The account's language: every email and page for it (account.setLocale)."),
      sessionExpiresAt: z.string(),
    }),
    failures: [],
    limit: "none",
    session: true,
    rest: { method: "GET", path: "/api/v1/auth/me/" },
    async run(ctx) {
      return ok({
        userId: ctx.user.userId,
        email: ctx.user.email,
        isVerified: ctx.user.isVerified,
        locale: ctx.user.locale as (typeof SUPPORTED_LOCALES)[number],
        sessionExpiresAt: ctx.user.sessionExpiresAt.toISOString(),
      });
    },
  }),

  rules: defineOperation({
    kind: "query",
    summary:
      "What a client needs to render its forms: code and password lengths, the gap between two sends, product name, and the language this request's Accept-Language prefers.",
    input: null,
    output: z.object({
      appName: z.string(),
      devMailbox: z.boolean(),
      codeLength: z.number(),
      codeTtlSeconds: z.number(),
      sendCooldownSeconds: z.number(),
      passwordMinLength: z.number(),
      passwordMaxLength: z.number(),
      locale: z
        .enum(SUPPORTED_LOCALES)
        .describe(
          "The supported language the request's Accept-Language prefers (English without one): what a page shows before anyone signs in.",
        ),
      locales: z.array(z.enum(SUPPORTED_LOCALES)).describe("Every language offered."),
    }),
    failures: [],
    limit: "none",
    session: false,
    async run(ctx) {
      return ok({
        appName: ctx.appName,
        devMailbox: ctx.mailbox !== undefined,
        codeLength: ctx.service.policy.codeLength,
        codeTtlSeconds: ctx.service.policy.codeTtlSeconds,
        sendCooldownSeconds: ctx.service.policy.sendCooldownSeconds,
        passwordMinLength: ctx.service.policy.passwordMinLength,
        passwordMaxLength: PASSWORD_MAX_LENGTH,
        locale: ctx.locale as (typeof SUPPORTED_LOCALES)[number],
        locales: [...SUPPORTED_LOCALES],
      });
    },
  }),
};

const accountSession = z.object({
  id: z.string(),
  device: z.string().describe('Read from the User-Agent it signed in with: "Firefox on Windows".'),
  ip: z.string().nullable().describe("The client address it signed in from."),
  createdAt: z.string(),
  lastSeenAt: z.string().describe("Moved forward at most once every five minutes."),
  current: z.boolean().describe("The session this request came with."),
});

const securityEvent = z.object({
  id: z.string(),
  type: z.enum(SECURITY_EVENT_TYPES),
  at: z.string(),
  ip: z.string().nullable(),
  device: z.string(),
  method: z.enum(["password", "code"]).optional().describe("SIGNED_IN: how."),
  reason: z
    .enum(["WRONG_PASSWORD", "EMAIL_NOT_VERIFIED"])
    .optional()
    .describe("SIGN_IN_BLOCKED: why."),
  sessionsRevoked: z.number().optional().describe("SIGNED_OUT_EVERYWHERE: how many."),
});

/** The security center (issue 14): where the account is signed in, and what happened to it. */
const securityCenter = {
  sessions: defineOperation({
    kind: "query",
    summary: "The signed-in account's live sessions, newest first; `current` marks this one.",
    input: null,
    output: z.object({ sessions: z.array(accountSession) }),
    failures: [],
    limit: "none",
    session: true,
    rest: { method: "GET", path: "/api/v1/account/sessions/" },
    run: async (ctx) =>
      answer(await ctx.service.listSessions(ctx.user), ({ sessions }) => ({
        sessions: sessions.map((session) => ({
          ...session,
          createdAt: session.createdAt.toISOString(),
          lastSeenAt: session.lastSeenAt.toISOString(),
        })),
      })),
  }),

  revokeSession: defineOperation({
    kind: "mutation",
    summary:
      "End one session of the signed-in account at once; another account's session is NOT_FOUND.",
    input: (s) => s.revokeSession,
    output: z.object({ sessionId: z.string(), current: z.boolean(), message: detail }),
    failures: ["NOT_FOUND"],
    limit: "none",
    session: true,
    rest: {
      method: "POST",
      path: "/api/v1/account/sessions/revoke/",
      example: { sessionId: "00000000-0000-4000-8000-000000000000" },
    },
    async run(ctx, input) {
      const revoked = await ctx.service.revokeSession(ctx.user, input, clientOf(ctx));
      // Ending the session this request came with signs this client out.
      if (revoked.ok && revoked.value.current) ctx.session.clear();
      return answer(revoked, (value) => ({ ...value, message: MESSAGES.sessionRevoked }));
    },
  }),

  securityEvents: defineOperation({
    kind: "query",
    summary:
      "The signed-in account's recent security events, newest first, a page at a time (`cursor`: the previous page's nextCursor).",
    input: (s) => s.securityEvents,
    output: z.object({ events: z.array(securityEvent), nextCursor: z.string().nullable() }),
    failures: [],
    limit: "none",
    session: true,
    rest: { method: "GET", path: "/api/v1/account/security-events/" },
    run: async (ctx, input) =>
      answer(await ctx.service.securityEvents(ctx.user.userId, input), (page) => ({
        events: page.events.map((event) => ({ ...event, at: event.at.toISOString() })),
        nextCursor: page.nextCursor,
      })),
  }),
};

const account = {
  ...securityCenter,
  ...reauthentication,
  requestEmailChange: defineOperation({
    kind: "mutation",
    summary:
      "Email a code to a new address for the signed-in account; needs an authentication within REAUTH_MAX_AGE_SECONDS (account.reauthenticate).",
    input: (s) => s.requestEmailChange.omit({ userId: true }),
    output: z.object({ newEmail: z.string(), message: detail }),
    failures: ["SEND_LIMIT_REACHED", "REAUTHENTICATION_REQUIRED"],
    limit: "send",
    session: true,
    rest: {
      method: "POST",
      path: "/api/v1/account/email-change/",
      renames: { email: "newEmail" },
      example: { email: EXAMPLE_EMAIL },
    },
    run: async (ctx, input) =>
      answer(
        await ctx.service.requestEmailChange({ ...input, userId: ctx.user.userId }, ctx.user),
        ({ newEmail }) => ({ newEmail, message: MESSAGES.emailChangeRequested }),
      ),
  }),

  confirmEmailChange: defineOperation({
    kind: "mutation",
    summary:
      "Move the signed-in account to the new address with its code (needs a recent authentication, as the request does); every other session ends, and the old address is told, with a link that undoes the change for 7 days.",
    input: (s) => s.confirmEmailChange.omit({ userId: true }),
    output: z.object({ email: z.string(), message: detail }),
    failures: [...CODE_FAILURES, "EMAIL_TAKEN", "REAUTHENTICATION_REQUIRED"],
    limit: "guess",
    session: true,
    rest: {
      method: "POST",
      path: "/api/v1/account/email-change/confirm/",
      renames: { otp: "code" },
      example: { otp: EXAMPLE_CODE },
    },
    run: async (ctx, input) =>
      answer(
        await ctx.service.confirmEmailChange(
          { ...input, userId: ctx.user.userId },
          clientOf(ctx),
          ctx.user,
        ),
        ({ email }) => ({ email, message: MESSAGES.emailChanged }),
      ),
  }),

  setLocale: defineOperation({
    kind: "mutation",
    summary: "Set the signed-in account's language: every later email and page uses it.",
    input: (s) => s.setLocale.omit({ userId: true }),
    output: z.object({ locale: z.enum(SUPPORTED_LOCALES), message: detail }),
    failures: [],
    limit: "none",
    session: true,
    rest: { method: "POST", path: "/api/v1/account/locale/", example: { locale: "de" } },
    run: async (ctx, input) =>
      answer(await ctx.service.setLocale({ ...input, userId: ctx.user.userId }), ({ locale }) => ({
        locale: locale as (typeof SUPPORTED_LOCALES)[number],
        message: MESSAGES.localeSet,
      })),
  }),

  signOutEverywhere: defineOperation({
    kind: "mutation",
    summary: "Revoke every session of the signed-in account.",
    input: null,
    output: z.object({ sessionsRevoked: z.number(), message: detail }),
    failures: [],
    limit: "none",
    session: true,
    rest: { method: "POST", path: "/api/v1/account/sign-out-everywhere/", example: {} },
    async run(ctx) {
      const revoked = await ctx.service.signOutEverywhere(ctx.user.userId, clientOf(ctx));
      if (revoked.ok) ctx.session.clear();
      return answer(revoked, ({ sessionsRevoked }) => ({
        sessionsRevoked,
        message: MESSAGES.signedOutEverywhere,
      }));
    },
  }),
};

/** Mounted only when the dev mailbox is the transport (development). */
const dev = {
  mailbox: defineOperation({
    kind: "query",
    summary: "The dev mailbox's messages, newest first (development only).",
    input: null,
    output: z.array(
      z.object({
        id: z.string(),
        to: z.string(),
        subject: z.string(),
        html: z.string(),
        text: z.string(),
        /** A code email's link (`/link#token=...`, on this app), to open it from the mailbox. */
        link: z.string().nullable(),
        sentAt: z.string(),
      }),
    ),
    failures: [],
    limit: "none",
    session: false,
    async run(ctx) {
      return ok(
        (ctx.mailbox?.list() ?? []).map((message) => ({
          id: message.id,
          to: message.to,
          subject: message.subject,
          html: message.html,
          text: message.text,
          link: message.meta?.linkToken === undefined ? null : linkPath(message.meta.linkToken),
          sentAt: message.sentAt.toISOString(),
        })),
      );
    },
  }),
};

/** Every operation, by tRPC namespace and procedure name. */
export const OPERATIONS = { auth, account, dev };

export type Operations = typeof OPERATIONS;

/** Every tRPC path in the table (`auth.verifyEmail`). */
export type ProcedurePath = {
  [N in keyof Operations]: `${N}.${keyof Operations[N] & string}`;
}[keyof Operations];

/** One operation with the tRPC path its place in the table gives it (`auth.verifyEmail`). */
export interface DeclaredOperation {
  procedure: string;
  operation: AnyOperation;
}

export const OPERATION_LIST: readonly DeclaredOperation[] = Object.entries(OPERATIONS).flatMap(
  ([namespace, procedures]) =>
    Object.entries(procedures as Record<string, AnyOperation>).map(([name, operation]) => ({
      procedure: `${namespace}.${name}`,
      operation,
    })),
);

/** A REST path by tRPC path, for clients, tests and the bench (`restPath("auth.verifyEmail")`). */
export function restPath(procedure: ProcedurePath): string {
  const rest = OPERATION_LIST.find((entry) => entry.procedure === procedure)?.operation.rest;
  if (rest === undefined) throw new Error(`${procedure} has no REST route`);
  return rest.path;
}

/** The tRPC URL path of a procedure (`/trpc/auth.verifyEmail`). */
export function trpcPath(procedure: ProcedurePath): string {
  return `${TRPC_PREFIX}/${procedure}`;
}

/** Where the tRPC procedures are served. */
export const TRPC_PREFIX = "/trpc";

/** The operations that spend a budget, by tRPC path (tests walk every one). */
export function proceduresIn(group: LimitGroup): string[] {
  return OPERATION_LIST.filter((entry) => entry.operation.limit === group).map(
    (entry) => entry.procedure,
  );
}
