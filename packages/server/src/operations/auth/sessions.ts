/** This client's session: signing out, and who is signed in (flows/sessions.ts). */
import { ok } from "@otp/core/internal";
import { z } from "zod";
import { SUPPORTED_LOCALES } from "../../locale.js";
import { defineOperation } from "../define.js";
import { detail, MESSAGES } from "../presets.js";

export const signOut = defineOperation({
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
});

export const me = defineOperation({
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
});
