import type { OtpService } from "@otp/core";
import type { DevMailbox } from "@otp/email";
import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from "fastify";

/** The session cookie: httpOnly, SameSite=Lax, Secure when the app is served over https. */
export const SESSION_COOKIE = "otp_session";

export interface SessionCookies {
  /** The session token the request carried, if any. */
  read(): string | undefined;
  set(token: string, expiresAt: Date): void;
  clear(): void;
}

/** What every procedure can use; built once per request from the app's services. */
export interface Context {
  service: OtpService;
  /** The product name, as the emails say it. */
  appName: string;
  /** Present only when the dev mailbox is the transport (never in production). */
  mailbox: DevMailbox | undefined;
  log: FastifyBaseLogger;
  session: SessionCookies;
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
