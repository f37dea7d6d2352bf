/** The signed-in account's security events and language (flows/account.ts). */
import { SECURITY_EVENT_TYPES } from "@otp/core";
import { z } from "zod";
import { SUPPORTED_LOCALES } from "../../locale.js";
import { defineOperation } from "../define.js";
import { answer, detail, MESSAGES } from "../presets.js";

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

export const securityEvents = defineOperation({
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
});

export const setLocale = defineOperation({
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
});
