/** Creating an account and proving its address (beside the core's flows/registration.ts). */
import { REGISTRATION_BINDING_TTL_SECONDS } from "@otp/core";
import { ok } from "@otp/core/internal";
import { z } from "zod";
import { clientOf, keepDevice } from "../../trpc/context.js";
import { defineOperation } from "../define.js";
import {
  acceptedAnswer,
  answer,
  codeCheck,
  codeCheckRoute,
  detail,
  EXAMPLE_CODE,
  EXAMPLE_EMAIL,
  EXAMPLE_PASSWORD,
  MESSAGES,
  verifiedAnswer,
} from "../presets.js";

export const register = defineOperation({
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
});

export const verifyEmail = defineOperation({
  ...codeCheck,
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
  rest: codeCheckRoute("/api/v1/auth/verify-email/", { email: EXAMPLE_EMAIL, otp: EXAMPLE_CODE }),
  run: async (ctx, input) =>
    verifiedAnswer(
      ctx,
      await ctx.service.verifyEmail(input, {
        ...clientOf(ctx),
        bindingToken: ctx.registration.read(),
      }),
    ),
});

export const resendCode = defineOperation({
  kind: "mutation",
  summary: "Send a new code (earlier ones stop working); the answer is the same for every address.",
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
});
