/** The emailed links: what one will do, and doing it (flows/links.ts). */
import { ok } from "@otp/core/internal";
import { z } from "zod";
import { clientOf } from "../../trpc/context.js";
import { defineOperation } from "../define.js";
import {
  answer,
  detail,
  EXAMPLE_LINK_TOKEN,
  LINK_MESSAGES,
  linkStep,
  MESSAGES,
  REAUTHENTICATION_MESSAGES,
  resetAnswer,
  signedIn,
  verifiedAnswer,
} from "../presets.js";

export const describeLink = defineOperation({
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
});

export const useLink = defineOperation({
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
});
