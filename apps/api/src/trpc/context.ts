import type { OtpService } from "@otp/core";
import type { DevMailbox } from "@otp/email";
import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from "fastify";

/** The session cookie: httpOnly, SameSite=Lax, Secure when the app is served over https. */
export const SESSION_COOKIE = "otp_session";

/**
 * The registration-binding cookie (ADR 10): set by the register answer, sent
 * back with the verification code so the registration's password becomes
 * active only from the client that chose it. HttpOnly, SameSite=Strict.
 */
export const REGISTRATION_COOKIE = "otp_registration";

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
  registration: SessionCookies;
}

export function sessionCookies(
  request: FastifyRequest,
  reply: FastifyReply,
  secure: boolean,
  name: string = SESSION_COOKIE,
  sameSite: "lax" | "strict" = "lax",
): SessionCookies {
  return {
    read: () => request.cookies[name],
    set: (token, expiresAt) =>
      void reply.setCookie(name, token, {
        httpOnly: true,
        sameSite,
        secure,
        path: "/",
        expires: expiresAt,
      }),
    clear: () =>
      void reply.clearCookie(name, {
        httpOnly: true,
        sameSite,
        secure,
        path: "/",
      }),
  };
}
