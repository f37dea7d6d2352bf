import {
  codeSchema,
  emailSchema,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  type PasscodePolicy,
  passwordSchema,
  resendableCodeTypeSchema,
} from "@otp/core";
import { z } from "zod";
import { unwrap } from "../errors.js";
import { publicProcedure, router } from "./init.js";

export const MESSAGES = {
  registered: "Check your email for a verification code.",
  verified: "Your email address is verified.",
  resent: "If this address needs a code, a new one is on its way. Earlier codes no longer work.",
} as const;

/**
 * Procedures parse their input (the same field rules as the service, and no
 * unknown fields), call the service, and map its result. Nothing else.
 */
export function createAuthRouter(policy: PasscodePolicy) {
  return router({
    register: publicProcedure
      .input(z.strictObject({ email: emailSchema, password: passwordSchema }))
      .mutation(async ({ ctx, input }) => {
        const accepted = unwrap(await ctx.service.register(input));
        return { email: accepted.email, message: MESSAGES.registered };
      }),

    verifyEmail: publicProcedure
      .input(z.strictObject({ email: emailSchema, code: codeSchema(policy.codeLength) }))
      .mutation(async ({ ctx, input }) => {
        const verified = unwrap(await ctx.service.verifyEmail(input));
        return { email: verified.email, verified: true as const, message: MESSAGES.verified };
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

    /** The rules a client needs to render its forms (code length, password length). */
    rules: publicProcedure.query(({ ctx }) => ({
      codeLength: ctx.service.policy.codeLength,
      codeTtlSeconds: ctx.service.policy.codeTtlSeconds,
      passwordMinLength: PASSWORD_MIN_LENGTH,
      passwordMaxLength: PASSWORD_MAX_LENGTH,
    })),
  });
}
