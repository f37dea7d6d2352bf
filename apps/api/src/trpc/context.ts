import { fail, type OtpService, type Result, type SignedInUser } from "@otp/core";
import type { DevMailbox } from "@otp/email";
import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from "fastify";
import type { WireError } from "../errors.js";
import type { LimitGroup } from "../operations/define.js";

/** The session cookie: httpOnly, SameSite=Lax, Secure when the app is served over https. */
export const SESSION_COOKIE = "otp_session";

export interface SessionCookies {
  /** The session token the request carried, if any. */
  read(): string | undefined;
  set(token: string, expiresAt: Date): void;
  clear(): void;
}

/** What every operation can use; built once per request from the app's services. */
export interface Context {
  service: OtpService;
  /** The product name, as the emails say it. */
  appName: string;
  /** Present only when the dev mailbox is the transport (never in production). */
  mailbox: DevMailbox | undefined;
  log: FastifyBaseLogger;
  session: SessionCookies;
  /**
   * Spends one unit of this client's per-IP budget for a group; the refusal
   * (RATE_LIMITED, with `retryAt`) when it is spent.
   */
  spendLimit(group: Exclude<LimitGroup, "none">): Promise<WireError | undefined>;
}

export function sessionCookies(
  request: FastifyRequest,
  reply: FastifyReply,
  secure: boolean,
): SessionCookies {
  return {
    read: () => request.cookies[SESSION_COOKIE],
    set: (token, expiresAt) =>
      void reply.setCookie(SESSION_COOKIE, token, {
        httpOnly: true,
        sameSite: "lax",
        secure,
        path: "/",
        expires: expiresAt,
      }),
    clear: () =>
      void reply.clearCookie(SESSION_COOKIE, {
        httpOnly: true,
        sameSite: "lax",
        secure,
        path: "/",
      }),
  };
}

/**
 * The one gate for signed-in operations, on both surfaces: the session cookie
 * must name a live session. A dead cookie is cleared.
 */
export async function authenticate(ctx: Context): Promise<Result<SignedInUser>> {
  const token = ctx.session.read();
  if (token === undefined) return fail("UNAUTHORIZED");
  const user = await ctx.service.authenticate(token);
  if (!user.ok) ctx.session.clear();
  return user;
}
