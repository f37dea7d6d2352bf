import { describe, expect, it } from "vitest";
import {
  describeClient,
  deviceLabel,
  KNOWN_BROWSERS,
  KNOWN_SYSTEMS,
  storedClient,
  UNKNOWN_BROWSER,
  UNKNOWN_DEVICE,
  USER_AGENT_MAX_LENGTH,
} from "./client-context.js";

const FIREFOX_WINDOWS =
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0";
const SAFARI_IPHONE =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";

describe("device label", () => {
  it("names the browser and the system", () => {
    expect(deviceLabel(FIREFOX_WINDOWS)).toBe("Firefox on Windows");
    expect(deviceLabel(SAFARI_IPHONE)).toBe("Safari on iOS");
  });

  it("says unknown for no header, an empty one, or one it cannot read", () => {
    expect(deviceLabel(undefined)).toBe(UNKNOWN_DEVICE);
    expect(deviceLabel(null)).toBe(UNKNOWN_DEVICE);
    expect(deviceLabel("   ")).toBe(UNKNOWN_DEVICE);
    expect(deviceLabel("curl/8.5.0")).toBe(UNKNOWN_DEVICE);
  });
});

describe("stored client", () => {
  it("cuts a long User-Agent and keeps absent fields null", () => {
    const stored = storedClient({ ip: " 203.0.113.7 ", userAgent: "x".repeat(2000) });
    expect(stored.ip).toBe("203.0.113.7");
    expect(stored.userAgent).toHaveLength(USER_AGENT_MAX_LENGTH);
    expect(storedClient(undefined)).toEqual({ ip: null, userAgent: null });
    expect(storedClient({ ip: "", userAgent: "" })).toEqual({ ip: null, userAgent: null });
  });
});

describe("only recognised names reach the owner (issue 23, finding 6)", () => {
  const CRAFTED = [
    "URGENT/1.0 your account is compromised, call +1 555 0100, visit https://evil.example",
    "URGENT: your account is compromised, call +1 555 0100, visit https://evil.example",
    "Mozilla/5.0 (compatible; URGENT call 555) Evil/99.0",
    "Googlebot/2.1 (+http://www.google.com/bot.html)",
  ];

  it("an unrecognised browser or system is 'an unknown browser' / unknown", () => {
    for (const userAgent of CRAFTED) {
      expect(deviceLabel(userAgent), userAgent).toBe(UNKNOWN_DEVICE);
      expect(describeClient({ ip: "203.0.113.7", userAgent }), userAgent).toEqual({
        ip: "203.0.113.7",
        browser: UNKNOWN_BROWSER,
        os: "unknown",
      });
    }
  });

  it("a recognised browser keeps its name and a numeric version only", () => {
    expect(describeClient({ userAgent: FIREFOX_WINDOWS })).toMatchObject({
      browser: "Firefox 133.0",
      os: "Windows 10",
    });
    expect(describeClient({ userAgent: SAFARI_IPHONE })).toMatchObject({
      browser: "Safari 17.5",
      os: "iOS 17.5",
    });
    const names = [...KNOWN_BROWSERS, ...KNOWN_SYSTEMS].join(" ");
    expect(names).not.toMatch(/bot|crawler|generic/i);
  });
});
