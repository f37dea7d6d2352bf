/** Moving the signed-in account to a new address (flows/email-change.ts). */
import { z } from "zod";
import { clientOf } from "../../trpc/context.js";
import { defineOperation } from "../define.js";
import {
  answer,
  CODE_FAILURES,
  codeCheck,
  codeCheckRoute,
  detail,
  EXAMPLE_CODE,
  EXAMPLE_EMAIL,
  MESSAGES,
} from "../presets.js";

export const requestEmailChange = defineOperation({
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
});

export const confirmEmailChange = defineOperation({
  ...codeCheck,
  summary:
    "Move the signed-in account to the new address with its code (needs a recent authentication, as the request does); every other session ends, and the old address is told, with a link that undoes the change for 7 days.",
  input: (s) => s.confirmEmailChange.omit({ userId: true }),
  output: z.object({ email: z.string(), message: detail }),
  failures: [...CODE_FAILURES, "EMAIL_TAKEN", "REAUTHENTICATION_REQUIRED"],
  session: true,
  rest: codeCheckRoute("/api/v1/account/email-change/confirm/", { otp: EXAMPLE_CODE }),
  run: async (ctx, input) =>
    answer(
      await ctx.service.confirmEmailChange(
        { ...input, userId: ctx.user.userId },
        clientOf(ctx),
        ctx.user,
      ),
      ({ email }) => ({ email, message: MESSAGES.emailChanged }),
    ),
});
