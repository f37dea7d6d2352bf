import Bowser from "bowser";
import { type ClientContext, storedClient } from "../rules/client-context.js";

/** Who made a request, in words for the owner's notice email (never used for a decision). */
export interface ClientDescription {
  ip: string;
  browser: string;
  os: string;
}

const UNKNOWN = "unknown";

/** The address, and browser and system with versions from the User-Agent header (bowser). */
export function describeClient(client: ClientContext): ClientDescription {
  const stored = storedClient(client);
  const ip = stored.ip ?? UNKNOWN;
  if (stored.userAgent === null) return { ip, browser: UNKNOWN, os: UNKNOWN };
  const parsed = Bowser.parse(stored.userAgent);
  const words = (...parts: Array<string | undefined>) =>
    parts.filter((part) => part !== undefined && part !== "").join(" ") || UNKNOWN;
  return {
    ip,
    browser: words(parsed.browser.name, parsed.browser.version),
    os: words(parsed.os.name, parsed.os.versionName ?? parsed.os.version),
  };
}
