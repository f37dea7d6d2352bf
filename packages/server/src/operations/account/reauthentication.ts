/**
 * Re-authentication (issue 23, ADR 20): the person at a signed-in session
 * proves who they are again before a step that changes how the account is
 * reached (an email change answers 403 REAUTHENTICATION_REQUIRED without it).
 * Beside the core's flows/reauthentication.ts; registered in the `account`
 * namespace by operations/index.ts.
 */
import { ok } from "@otp/core/internal";
import { z } from "zod";
import { clientOf } from "../../trpc/context.js";
import { defineOperation } from "../define.js";
import { detail, REAUTHENTICATION_MESSAGES } from "../presets.js";

export const requestReauthenticationCode = defineOperation({
  kind: "mutation",
  summary:
    "Email a code to the signed-in account's current address, to re-authenticate without a password (then account.reauthenticate with { otp }).",
  input: null,
  output: z.object({ email: z.string(), message: detail }),
  failures: ["SEND_LIMIT_REACHED"],
  limit: "send",
  session: true,
  rest: { method: "POST", path: "/api/v1/account/reauthenticate/code/", example: {} },
  async run(ctx) {
    const sent = await ctx.service.requestReauthenticationCode(ctx.user);
    if (!sent.ok) return sent;
    return ok({
      email: sent.value.email,
      message: REAUTHENTICATION_MESSAGES.reauthenticationCodeSent,
    });
  },
});

export const reauthenticate = defineOperation({
  kind: "mutation",
  summary:
    "Prove again who is at this session, with { password } or { otp } (the code of account.requestReauthenticationCode): an email change needs it within REAUTH_MAX_AGE_SECONDS.",
  input: (s) => s.reauthenticate,
  output: z.object({
    authenticatedAt: z.string().describe("When this session's authentication now counts from."),
    message: detail,
  }),
  failures: [
    "INVALID_CREDENTIALS",
    "OTP_INVALID",
    "OTP_EXPIRED",
    "OTP_ALREADY_USED",
    "OTP_REPLACED",
    "TOO_MANY_ATTEMPTS",
    "ACCOUNT_LOCKED",
  ],
  limit: "guess",
  session: true,
  rest: {
    method: "POST",
    path: "/api/v1/account/reauthenticate/",
    example: { password: "correct horse battery staple" },
  },
  async run(ctx, input) {
    const done = await ctx.service.reauthenticate(ctx.user, input, clientOf(ctx));
    if (!done.ok) return done;
    return ok({
      authenticatedAt: done.value.authenticatedAt.toISOString(),
      message: REAUTHENTICATION_MESSAGES.reauthenticated,
    });
  },
});
