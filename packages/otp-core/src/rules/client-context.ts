import Bowser from "bowser";

/** A User-Agent header is kept up to this many characters (longer ones are cut, never refused). */
export const USER_AGENT_MAX_LENGTH = 512;
/** An address as Fastify reports it (IPv6 with a zone id fits). */
export const IP_MAX_LENGTH = 64;

/**
 * Who made a request, as the edge saw it: the client address (from
 * X-Forwarded-For only when TRUST_PROXY is set), its User-Agent and its
 * device cookie. Recorded for the owner's eyes (sessions, activity, notices);
 * never used to decide anything.
 */
export interface ClientContext {
  ip?: string | undefined;
  userAgent?: string | undefined;
  /** The long-lived device cookie the client sent, if any. */
  deviceToken?: string | undefined;
}

/** The context as it is stored: trimmed, cut to bounds, null when absent. */
export interface StoredClient {
  ip: string | null;
  userAgent: string | null;
}

export function storedClient(client: ClientContext | undefined): StoredClient {
  const ip = client?.ip?.trim().slice(0, IP_MAX_LENGTH) ?? "";
  const userAgent = client?.userAgent?.trim().slice(0, USER_AGENT_MAX_LENGTH) ?? "";
  return { ip: ip === "" ? null : ip, userAgent: userAgent === "" ? null : userAgent };
}

export const UNKNOWN_DEVICE = "Unknown device";

/** A label a person recognises ("Firefox on Windows"), read from a User-Agent header. */
export function deviceLabel(userAgent: string | null | undefined): string {
  if (userAgent === null || userAgent === undefined || userAgent.trim() === "") {
    return UNKNOWN_DEVICE;
  }
  const parsed = Bowser.parse(userAgent);
  const browser = parsed.browser.name ?? "";
  const os = parsed.os.name ?? "";
  if (browser !== "" && os !== "") return `${browser} on ${os}`;
  if (browser !== "") return browser;
  if (os !== "") return `A browser on ${os}`;
  return UNKNOWN_DEVICE;
}
