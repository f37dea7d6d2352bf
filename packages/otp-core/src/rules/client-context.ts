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

/** Browser and system as bowser reads them from a User-Agent header; null without a header. */
function readUserAgent(userAgent: string | null | undefined) {
  if (userAgent === null || userAgent === undefined || userAgent.trim() === "") return null;
  return Bowser.parse(userAgent);
}

/** A label a person recognises ("Firefox on Windows"), read from a User-Agent header. */
export function deviceLabel(userAgent: string | null | undefined): string {
  const parsed = readUserAgent(userAgent);
  if (parsed === null) return UNKNOWN_DEVICE;
  const browser = parsed.browser.name ?? "";
  const os = parsed.os.name ?? "";
  if (browser !== "" && os !== "") return `${browser} on ${os}`;
  if (browser !== "") return browser;
  if (os !== "") return `A browser on ${os}`;
  return UNKNOWN_DEVICE;
}

/** Who made a request, in words for the owner's notice email (never used for a decision). */
export interface ClientDescription {
  ip: string;
  browser: string;
  os: string;
}

const UNKNOWN = "unknown";

/** The address, and browser and system with versions from the User-Agent header. */
export function describeClient(client: ClientContext): ClientDescription {
  const stored = storedClient(client);
  const ip = stored.ip ?? UNKNOWN;
  const parsed = readUserAgent(stored.userAgent);
  if (parsed === null) return { ip, browser: UNKNOWN, os: UNKNOWN };
  const words = (...parts: Array<string | undefined>) =>
    parts.filter((part) => part !== undefined && part !== "").join(" ") || UNKNOWN;
  return {
    ip,
    browser: words(parsed.browser.name, parsed.browser.version),
    os: words(parsed.os.name, parsed.os.versionName ?? parsed.os.version),
  };
}
