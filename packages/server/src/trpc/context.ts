import {
  type ClientContext,
  DEVICE_COOKIE_TTL_SECONDS,
  type OtpService,
  type Result,
  type SignedInUser,
} from "@otp/core";
import { fail } from "@otp/core/internal";
import type { DevMailbox } from "@otp/email";
import type { EdgeLogger, WireError } from "../errors.js";
import type { LimitGroup } from "../operations/define.js";

/**
 * The product's cookies, declared once: their names and SameSite, by role.
 * All are HttpOnly, Path=/, no Domain. Over https (APP_URL) each name carries
 * the `__Host-` prefix, which browsers accept only with Secure, Path=/ and no
 * Domain: no sibling subdomain and no plain-http page can set or shadow them.
 *
 * - session: the session token. SameSite=Lax.
 * - registration: the registration-binding cookie (ADR 10), set by the register
 *   answer and sent back with the verification code, so the registration's
 *   password becomes active only from the client that chose it. SameSite=Strict.
 * - device: the device cookie (issue 14), a long-lived random token that marks
 *   this client as one an account has used (the server keeps only a hash per
 *   account); set by registration, verification and sign-in; a sign-in from a
 *   client the account has not seen emails the owner. SameSite=Lax.
 */
export const COOKIES = {
  session: { name: "otp_session", sameSite: "lax" },
  registration: { name: "otp_registration", sameSite: "strict" },
  device: { name: "otp_device", sameSite: "lax" },
} as const satisfies Record<string, { name: string; sameSite: "lax" | "strict" }>;

export type CookieRole = keyof typeof COOKIES;

/** The name a cookie goes by: `__Host-` prefixed when the app is served over https. */
export function cookieName(role: CookieRole, secure: boolean): string {
  return secure ? `__Host-${COOKIES[role].name}` : COOKIES[role].name;
}

/** The session cookie's name over plain http (the OpenAPI document names both). */
export const SESSION_COOKIE = COOKIES.session.name;

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
  role: CookieRole = "session",
): SessionCookies {
  const name = cookieName(role, secure);
  const options: CookieOptions = {
    httpOnly: true,
    sameSite: COOKIES[role].sameSite,
    secure,
    path: "/",
  };
  return {
    read: () => jar.get(name),
    set: (token, expiresAt) => jar.set(name, token, { ...options, expires: expiresAt }),
    clear: () => jar.clear(name, options),
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
