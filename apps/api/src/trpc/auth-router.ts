import {
  bindingTokenSchema,
  codeSchema,
  emailSchema,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  type PasscodePolicy,
  passwordSchema,
  REGISTRATION_BINDING_TTL_SECONDS,
  resendableCodeTypeSchema,
} from "@otp/core";
import { z } from "zod";
import { unwrap } from "../errors.js";
import { protectedProcedure, publicProcedure, router } from "./init.js";

export const MESSAGES = {
  registered: "Check your email for a verification code.",
  verified: "Your email address is verified.",
  verifiedAndSignedIn: "Your email address is verified and you are signed in.",
  verifiedSignIn: "Your email address is verified. Sign in with your password.",
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
} as const;

/** A password as typed at sign-in: any non-empty string up to the maximum (rules apply at creation). */
const signInPassword = z
  .string({ error: "Enter your password." })
  .min(1, { error: "Enter your password." })
  .max(PASSWORD_MAX_LENGTH, { error: `A password has at most ${PASSWORD_MAX_LENGTH} characters.` });

/**
 * Procedures parse their input (the same field rules as the service, and no
 * unknown fields), call the service, and map its result. Nothing else.
 */
export function createAuthRouter(policy: PasscodePolicy) {
  const code = codeSchema(policy.codeLength);
  return router({
    register: publicProcedure
      .input(z.strictObject({ email: emailSchema, password: passwordSchema }))
      .mutation(async ({ ctx, input }) => {
        const accepted = unwrap(await ctx.service.register(input));
        // Every answer binds this client, whatever the account's state (ADR 10).
        ctx.registration.set(
          accepted.bindingToken,
          new Date(Date.now() + REGISTRATION_BINDING_TTL_SECONDS * 1000),
        );
        return { email: accepted.email, message: MESSAGES.registered };
      }),

    verifyEmail: publicProcedure
      .input(z.strictObject({ email: emailSchema, code }))
      .mutation(async ({ ctx, input }) => {
        // A cookie that is not a binding token binds nothing (and is no input error).
        const cookie = bindingTokenSchema.safeParse(ctx.registration.read());
        const bindingToken = cookie.success ? cookie.data : undefined;
        const verified = unwrap(
          await ctx.service.verifyEmail({
            ...input,
            ...(bindingToken === undefined ? {} : { bindingToken }),
          }),
        );
        ctx.registration.clear();
        if (verified.session !== null) {
          ctx.session.set(verified.session.token, verified.session.expiresAt);
        }
        return {
          email: verified.email,
          verified: true as const,
          signedIn: verified.session !== null,
          passwordActive: verified.passwordActive,
          message:
            verified.session !== null
              ? MESSAGES.verifiedAndSignedIn
              : verified.passwordActive
                ? MESSAGES.verifiedSignIn
                : MESSAGES.verifiedSetPassword,
        };
      }),

    resendCode: publicProcedure
      .input(
        z.strictObject({
          email: emailSchema,
          codeType: resendableCodeTypeSchema.default("VERIFICATION"),
        }),
      )
      .mutation(async ({ ctx, input }) => {
        const accepted = unwrap(await ctx.service.resendCode(input));
        return { email: accepted.email, message: MESSAGES.resent };
      }),

    signIn: publicProcedure
      .input(z.strictObject({ email: emailSchema, password: signInPassword }))
      .mutation(async ({ ctx, input }) => {
        const session = unwrap(await ctx.service.signIn(input));
        ctx.session.set(session.token, session.expiresAt);
        return { email: session.email, message: MESSAGES.signedIn };
      }),

    requestSignInCode: publicProcedure
      .input(z.strictObject({ email: emailSchema }))
      .mutation(async ({ ctx, input }) => {
        const accepted = unwrap(await ctx.service.requestSignInCode(input));
        return { email: accepted.email, message: MESSAGES.signInCodeSent };
      }),

    signInWithCode: publicProcedure
      .input(z.strictObject({ email: emailSchema, code }))
      .mutation(async ({ ctx, input }) => {
        const session = unwrap(await ctx.service.signInWithCode(input));
        ctx.session.set(session.token, session.expiresAt);
        return { email: session.email, message: MESSAGES.signedIn };
      }),

    requestPasswordReset: publicProcedure
      .input(z.strictObject({ email: emailSchema }))
      .mutation(async ({ ctx, input }) => {
        const accepted = unwrap(await ctx.service.requestPasswordReset(input));
        return { email: accepted.email, message: MESSAGES.resetCodeSent };
      }),

    resetPassword: publicProcedure
      .input(z.strictObject({ email: emailSchema, code, newPassword: passwordSchema }))
      .mutation(async ({ ctx, input }) => {
        const reset = unwrap(await ctx.service.resetPassword(input));
        ctx.session.clear();
        return { email: reset.email, message: MESSAGES.passwordReset };
      }),

    signOut: publicProcedure.mutation(async ({ ctx }) => {
      const token = ctx.session.read();
      if (token !== undefined) unwrap(await ctx.service.signOut(token));
      ctx.session.clear();
      return { message: MESSAGES.signedOut };
    }),

    me: protectedProcedure.query(({ ctx }) => ({
      userId: ctx.user.userId,
      email: ctx.user.email,
      isVerified: ctx.user.isVerified,
      sessionExpiresAt: ctx.user.sessionExpiresAt.toISOString(),
    })),

    /**
     * What a client needs to render its forms: code and password lengths, the
     * gap between two sends (for a countdown), product name, dev tools.
     */
    rules: publicProcedure.query(({ ctx }) => ({
      appName: ctx.appName,
      devMailbox: ctx.mailbox !== undefined,
      codeLength: ctx.service.policy.codeLength,
      codeTtlSeconds: ctx.service.policy.codeTtlSeconds,
      sendCooldownSeconds: ctx.service.policy.sendCooldownSeconds,
      passwordMinLength: PASSWORD_MIN_LENGTH,
      passwordMaxLength: PASSWORD_MAX_LENGTH,
    })),
  });
}
