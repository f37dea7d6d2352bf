/** Choosing a new password with an emailed code (flows/password-reset.ts). */
import { clientOf } from "../../trpc/context.js";
import { defineOperation } from "../define.js";
import {
  acceptedAnswer,
  codeCheck,
  codeCheckRoute,
  codeRequest,
  EXAMPLE_CODE,
  EXAMPLE_EMAIL,
  EXAMPLE_PASSWORD,
  MESSAGES,
  resetAnswer,
} from "../presets.js";

export const requestPasswordReset = codeRequest({
  summary: "Email a password-reset code; the answer is the same for every address.",
  path: "/api/v1/auth/password-reset/",
  message: MESSAGES.resetCodeSent,
  send: (service, input) => service.requestPasswordReset(input),
});

export const resetPassword = defineOperation({
  ...codeCheck,
  summary: "Set a new password with a reset code; every session is revoked and a notice emailed.",
  input: (s) => s.resetPassword,
  output: acceptedAnswer,
  rest: codeCheckRoute(
    "/api/v1/auth/password-reset/confirm/",
    { email: EXAMPLE_EMAIL, otp: EXAMPLE_CODE, password: EXAMPLE_PASSWORD },
    { password: "newPassword" },
  ),
  run: async (ctx, input) =>
    resetAnswer(ctx, await ctx.service.resetPassword(input, clientOf(ctx))),
});
