/** Unlocking a locked account, and the rules a client renders its forms by (flows/account.ts). */
import { PASSWORD_MAX_LENGTH } from "@otp/core";
import { ok } from "@otp/core/internal";
import { z } from "zod";
import { SUPPORTED_LOCALES } from "../../locale.js";
import { clientOf } from "../../trpc/context.js";
import { defineOperation } from "../define.js";
import { answer, detail, MESSAGES } from "../presets.js";

export const unlock = defineOperation({
  kind: "mutation",
  summary:
    "Unlock an account locked after too many failed attempts, with the token of the emailed link (single use).",
  input: (s) => s.unlock,
  output: z.object({ message: detail }),
  failures: ["TOKEN_INVALID"],
  limit: "guess",
  session: false,
  rest: {
    method: "POST",
    path: "/api/v1/auth/unlock/",
    example: { token: "q2Vb0x7m1kQe3T9rX8yZp4LwN6uJc5AaHs0dFg2iK1E" },
  },
  run: async (ctx, input) =>
    answer(await ctx.service.unlock(input, clientOf(ctx)), () => ({
      message: MESSAGES.unlocked,
    })),
});

export const rules = defineOperation({
  kind: "query",
  summary:
    "What a client needs to render its forms: code and password lengths, the gap between two sends, product name, and the language this request's Accept-Language prefers.",
  input: null,
  output: z.object({
    appName: z.string(),
    devMailbox: z.boolean(),
    codeLength: z.number(),
    codeTtlSeconds: z.number(),
    sendCooldownSeconds: z.number(),
    passwordMinLength: z.number(),
    passwordMaxLength: z.number(),
    locale: z
      .enum(SUPPORTED_LOCALES)
      .describe(
        "The supported language the request's Accept-Language prefers (English without one): what a page shows before anyone signs in.",
      ),
    locales: z.array(z.enum(SUPPORTED_LOCALES)).describe("Every language offered."),
  }),
  failures: [],
  limit: "none",
  session: false,
  async run(ctx) {
    return ok({
      appName: ctx.appName,
      devMailbox: ctx.mailbox !== undefined,
      codeLength: ctx.service.policy.codeLength,
      codeTtlSeconds: ctx.service.policy.codeTtlSeconds,
      sendCooldownSeconds: ctx.service.policy.sendCooldownSeconds,
      passwordMinLength: ctx.service.policy.passwordMinLength,
      passwordMaxLength: PASSWORD_MAX_LENGTH,
      locale: ctx.locale as (typeof SUPPORTED_LOCALES)[number],
      locales: [...SUPPORTED_LOCALES],
    });
  },
});
