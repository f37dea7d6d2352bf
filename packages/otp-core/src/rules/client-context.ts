import { UNKNOWN_BROWSER, UNKNOWN_SYSTEM } from "@otp/email/kinds";
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

/**
 * The browsers whose names may reach an email or the activity page: bowser's names for
 * browsers people use (its list also has crawlers and a fallback that takes any text before
 * a "/", which let "URGENT: call ..." into the owner's notices; issue 23, finding 6). Any
 * other name is "an unknown browser".
 */
export const KNOWN_BROWSERS: ReadonlySet<string> = new Set([
  "Amazon Silk",
  "Android Browser",
  "Brave",
  "Chrome",
  "Chromium",
  "DuckDuckGo",
  "Electron",
  "Epiphany",
  "Firefox",
  "Focus",
  "Internet Explorer",
  "LibreWolf",
  "Maxthon",
  "Microsoft Edge",
  "NAVER Whale Browser",
  "Opera",
  "Opera Coast",
  "Pale Moon",
  "QQ Browser",
  "Safari",
  "Samsung Internet for Android",
  "SeaMonkey",
  "UC Browser",
  "Vivaldi",
  "WeChat",
  "Yandex Browser",
]);

/** The systems whose names may reach an email or the activity page (bowser's names). */
export const KNOWN_SYSTEMS: ReadonlySet<string> = new Set([
  "Android",
  "Chrome OS",
  "HarmonyOS",
  "iOS",
  "Linux",
  "macOS",
  "Windows",
  "Windows Phone",
]);

export { UNKNOWN_BROWSER };

/** A version as a browser writes it: digits and dots only (anything else is dropped). */
const VERSION = /^\d{1,6}(\.\d{1,6}){0,3}$/;

interface RecognisedClient {
  /** From KNOWN_BROWSERS, or null. */
  browser: string | null;
  browserVersion: string | null;
  /** From KNOWN_SYSTEMS, or null. */
  os: string | null;
  /** A version number, or bowser's name for it from its own tables ("10", "Sonoma"). */
  osVersion: string | null;
}

/**
 * Browser and system as bowser reads them from a User-Agent header, kept only when they are
 * on the lists above; null without a header. Nothing else of the header is ever shown.
 */
function recognise(userAgent: string | null | undefined): RecognisedClient | null {
  if (userAgent === null || userAgent === undefined || userAgent.trim() === "") return null;
  const parsed = Bowser.parse(userAgent);
  const browser = KNOWN_BROWSERS.has(parsed.browser.name ?? "") ? parsed.browser.name : null;
  const os = KNOWN_SYSTEMS.has(parsed.os.name ?? "") ? parsed.os.name : null;
  const version = (value: string | undefined) =>
    value !== undefined && VERSION.test(value) ? value : null;
  return {
    browser: browser ?? null,
    browserVersion: browser === null ? null : version(parsed.browser.version),
    os: os ?? null,
    osVersion:
      os === null
        ? null
        : // versionName comes from bowser's tables (a fixed set), never from the header.
          (parsed.os.versionName ?? version(parsed.os.version)),
  };
}

/** A label a person recognises ("Firefox on Windows"), read from a User-Agent header. */
export function deviceLabel(userAgent: string | null | undefined): string {
  const known = recognise(userAgent);
  if (known === null) return UNKNOWN_DEVICE;
  if (known.browser !== null && known.os !== null) return `${known.browser} on ${known.os}`;
  if (known.browser !== null) return known.browser;
  if (known.os !== null) return `A browser on ${known.os}`;
  return UNKNOWN_DEVICE;
}

/** Who made a request, in words for the owner's notice email (never used for a decision). */
export interface ClientDescription {
  ip: string;
  browser: string;
  os: string;
}

const UNKNOWN = "unknown";

/** The address, and browser and system (recognised names only) with their versions. */
export function describeClient(client: ClientContext): ClientDescription {
  const stored = storedClient(client);
  const ip = stored.ip ?? UNKNOWN;
  const known = recognise(stored.userAgent);
  const words = (...parts: Array<string | null>) =>
    parts.filter((part) => part !== null && part !== "").join(" ");
  return {
    ip,
    browser: known?.browser == null ? UNKNOWN_BROWSER : words(known.browser, known.browserVersion),
    os: known?.os == null ? UNKNOWN_SYSTEM : words(known.os, known.osVersion),
  };
}
