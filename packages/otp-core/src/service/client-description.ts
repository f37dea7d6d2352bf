import Bowser from "bowser";

/** Who made a request, in words for the owner's notice email (never used for a decision). */
export interface ClientDescription {
  ip: string;
  browser: string;
  os: string;
}

export interface RequestClient {
  ip?: string | undefined;
  userAgent?: string | undefined;
}

const UNKNOWN = "unknown";

/** Browser and system from the User-Agent header (bowser), as "Firefox 133.0" and "Windows 10". */
export function describeClient(client: RequestClient): ClientDescription {
  const ip = client.ip?.slice(0, 64) || UNKNOWN;
  const agent = client.userAgent?.slice(0, 512);
  if (agent === undefined || agent.trim() === "") return { ip, browser: UNKNOWN, os: UNKNOWN };
  const parsed = Bowser.parse(agent);
  const words = (...parts: Array<string | undefined>) =>
    parts.filter((part) => part !== undefined && part !== "").join(" ") || UNKNOWN;
  return {
    ip,
    browser: words(parsed.browser.name, parsed.browser.version),
    os: words(parsed.os.name, parsed.os.versionName ?? parsed.os.version),
  };
}
