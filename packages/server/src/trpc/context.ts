import {
  type ClientContext,
  DEVICE_COOKIE_TTL_SECONDS,
  fail,
  type OtpService,
  type Result,
  type SignedInUser,
} from "@otp/core";
import type { DevMailbox } from "@otp/email";
import type { EdgeLogger, WireError } from "../errors.js";
import type { LimitGroup } from "../operations/define.js";

/** The session cookie: httpOnly, SameSite=Lax, Secure when the app is served over https. */
export const SESSION_COOKIE = "otp_session";

/**
 * The registration-binding cookie (ADR 10): set by the register answer, sent
 * back with the verification code so the registration's password becomes
 * active only from the client that chose it. HttpOnly, SameSite=Strict.
 */
export const REGISTRATION_COOKIE = "otp_registration";

/**
 * The device cookie (issue 14): a long-lived random token that marks this
 * client as one an account has used (the server keeps only a hash per
 * account). Set by registration, verification and sign-in; a sign-in from a
 * client the account has not seen emails the owner. HttpOnly, SameSite=Lax.
 */
export const DEVICE_COOKIE = "otp_device";

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
  log: EdgeLogger;
  session: SessionCookies;
  /** The registration-binding cookie (ADR 10). */
  registration: SessionCookies;
  /** Who is asking, for notices to the account's owner (never for decisions). */
  client: { ip: string; userAgent: string | undefined };
  /** The device cookie (issue 14). */
  device: SessionCookies;
  /** The supported language this request's `Accept-Language` prefers (locale.ts); English without one. */
  readonly locale: string;
  /**
   * Spends one unit of this client's per-IP budget for a group; the refusal
   * (RATE_LIMITED, with `retryAt`) when it is spent.
   */
  spendLimit(group: Exclude<LimitGroup, "none">): Promise<WireError | undefined>;
}

/** The attributes of every cookie the edge sets. */
export interface CookieOptions {
  httpOnly: true;
  sameSite: "lax" | "strict";
  secure: boolean;
  path: "/";
  expires?: Date;
}

/**
 * The request's cookies as the host reads and writes them: a Fastify request
 * and reply, or a Fetch `Request` and the answer's headers (edge/cookies.ts).
 */
export interface CookieJar {
  get(name: string): string | undefined;
  set(name: string, value: string, options: CookieOptions): void;
  clear(name: string, options: CookieOptions): void;
}

export function sessionCookies(
  jar: CookieJar,
  secure: boolean,
  name: string = SESSION_COOKIE,
  sameSite: "lax" | "strict" = "lax",
): SessionCookies {
  return {
    read: () => jar.get(name),
    set: (token, expiresAt) =>
      jar.set(name, token, { httpOnly: true, sameSite, secure, path: "/", expires: expiresAt }),
    clear: () => jar.clear(name, { httpOnly: true, sameSite, secure, path: "/" }),
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

/** The request's client as the service records it: address, User-Agent and device cookie. */
export function clientOf(ctx: Context): ClientContext {
  return { ...ctx.client, deviceToken: ctx.device.read() };
}

/** Keeps (or starts) the client's device cookie for another DEVICE_COOKIE_TTL_SECONDS. */
export function keepDevice(ctx: Context, deviceToken: string): void {
  ctx.device.set(deviceToken, new Date(Date.now() + DEVICE_COOKIE_TTL_SECONDS * 1000));
}
