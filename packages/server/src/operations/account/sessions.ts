import { z } from "zod";
import { clientOf } from "../../trpc/context.js";
import { defineOperation } from "../define.js";
import { answer, detail, MESSAGES } from "../presets.js";

const accountSession = z.object({
  id: z.string(),
  device: z.string().describe('Read from the User-Agent it signed in with: "Firefox on Windows".'),
  ip: z.string().nullable().describe("The client address it signed in from."),
  createdAt: z.string(),
  lastSeenAt: z.string().describe("Moved forward at most once every five minutes."),
  current: z.boolean().describe("The session this request came with."),
});

export const sessions = defineOperation({
  kind: "query",
  summary: "The signed-in account's live sessions, newest first; `current` marks this one.",
  input: null,
  output: z.object({ sessions: z.array(accountSession) }),
  failures: [],
  limit: "none",
  session: true,
  rest: { method: "GET", path: "/api/v1/account/sessions/" },
  run: async (ctx) =>
    answer(await ctx.service.listSessions(ctx.user), ({ sessions }) => ({
      sessions: sessions.map((session) => ({
        ...session,
        createdAt: session.createdAt.toISOString(),
        lastSeenAt: session.lastSeenAt.toISOString(),
      })),
    })),
});

export const revokeSession = defineOperation({
  kind: "mutation",
  summary:
    "End one session of the signed-in account at once; another account's session is NOT_FOUND.",
  input: (s) => s.revokeSession,
  output: z.object({ sessionId: z.string(), current: z.boolean(), message: detail }),
  failures: ["NOT_FOUND"],
  limit: "none",
  session: true,
  rest: {
    method: "POST",
    path: "/api/v1/account/sessions/revoke/",
    example: { sessionId: "00000000-0000-4000-8000-000000000000" },
  },
  async run(ctx, input) {
    const revoked = await ctx.service.revokeSession(ctx.user, input, clientOf(ctx));
    // Ending the session this request came with signs this client out.
    if (revoked.ok && revoked.value.current) ctx.session.clear();
    return answer(revoked, (value) => ({ ...value, message: MESSAGES.sessionRevoked }));
  },
});

export const signOutEverywhere = defineOperation({
  kind: "mutation",
  summary: "Revoke every session of the signed-in account.",
  input: null,
  output: z.object({ sessionsRevoked: z.number(), message: detail }),
  failures: [],
  limit: "none",
  session: true,
  rest: { method: "POST", path: "/api/v1/account/sign-out-everywhere/", example: {} },
  async run(ctx) {
    const revoked = await ctx.service.signOutEverywhere(ctx.user.userId, clientOf(ctx));
    if (revoked.ok) ctx.session.clear();
    return answer(revoked, ({ sessionsRevoked }) => ({
      sessionsRevoked,
      message: MESSAGES.signedOutEverywhere,
    }));
  },
});
