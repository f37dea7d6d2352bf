import { codeSchema, emailSchema, type PasscodePolicy } from "@otp/core";
import { z } from "zod";
import { unwrap } from "../errors.js";
import { protectedProcedure, router } from "./init.js";

export const ACCOUNT_MESSAGES = {
  emailChangeRequested: "If the new address can be used, a code is on its way to it.",
  emailChanged: "Your email address was changed. We told your old address.",
  signedOutEverywhere: "Every session of your account was signed out.",
} as const;

/** Signed-in procedures: all go through `protectedProcedure`. */
export function createAccountRouter(policy: PasscodePolicy) {
  return router({
    requestEmailChange: protectedProcedure
      .input(z.strictObject({ newEmail: emailSchema }))
      .mutation(async ({ ctx, input }) => {
        const requested = unwrap(
          await ctx.service.requestEmailChange({
            userId: ctx.user.userId,
            newEmail: input.newEmail,
          }),
        );
        return { newEmail: requested.newEmail, message: ACCOUNT_MESSAGES.emailChangeRequested };
      }),

    confirmEmailChange: protectedProcedure
      .input(z.strictObject({ code: codeSchema(policy.codeLength) }))
      .mutation(async ({ ctx, input }) => {
        const changed = unwrap(
          await ctx.service.confirmEmailChange({ userId: ctx.user.userId, code: input.code }),
        );
        return { email: changed.email, message: ACCOUNT_MESSAGES.emailChanged };
      }),

    signOutEverywhere: protectedProcedure.mutation(async ({ ctx }) => {
      const revoked = unwrap(await ctx.service.signOutEverywhere(ctx.user.userId));
      ctx.session.clear();
      return {
        sessionsRevoked: revoked.sessionsRevoked,
        message: ACCOUNT_MESSAGES.signedOutEverywhere,
      };
    }),
  });
}
