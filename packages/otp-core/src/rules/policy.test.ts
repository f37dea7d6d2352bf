import { describe, expect, it } from "vitest";
import { mayReceiveCode } from "./eligibility.js";
import { codeExpiresAt, isExpired } from "./expiry.js";
import { DEFAULT_POLICY, resolvePolicy } from "./policy.js";

describe("policy", () => {
  it("has the documented defaults", () => {
    expect(DEFAULT_POLICY).toEqual({
      codeLength: 8,
      codeTtlSeconds: 600,
      maxFailedAttempts: 5,
      attemptWindowSeconds: 900,
      maxSendsPerWindow: 10,
      sendWindowSeconds: 3600,
      sendCooldownSeconds: 0,
      passwordMaxFailures: 10,
      passwordFailureWindowSeconds: 900,
      maxConsecutiveFailures: 100,
      passwordMinLength: 15,
      unlockTokenTtlSeconds: 86_400,
      reauthMaxAgeSeconds: 300,
    });
  });

  it("refuses a code length outside 6..12", () => {
    expect(() => resolvePolicy({ codeLength: 5 })).toThrow();
    expect(() => resolvePolicy({ codeLength: 13 })).toThrow();
    expect(resolvePolicy({ codeLength: 6 }).codeLength).toBe(6);
  });
});

describe("expiry", () => {
  it("expires 10 minutes after issue by default, at the instant itself", () => {
    const issued = new Date("2026-01-01T00:00:00Z");
    const expiresAt = codeExpiresAt(issued, DEFAULT_POLICY.codeTtlSeconds);
    expect(expiresAt.toISOString()).toBe("2026-01-01T00:10:00.000Z");
    expect(isExpired(expiresAt, new Date(expiresAt.getTime() - 1))).toBe(false);
    expect(isExpired(expiresAt, expiresAt)).toBe(true);
  });
});

describe("mayReceiveCode", () => {
  it("sends verification codes only to unverified accounts, and nothing to unknown addresses", () => {
    expect(mayReceiveCode(null, "VERIFICATION")).toBe(false);
    expect(mayReceiveCode({ isVerified: false }, "VERIFICATION")).toBe(true);
    expect(mayReceiveCode({ isVerified: true }, "VERIFICATION")).toBe(false);
    expect(mayReceiveCode({ isVerified: true }, "PASSWORD_RESET")).toBe(true);
    expect(mayReceiveCode({ isVerified: true }, "EMAIL_CHANGE")).toBe(false);
  });
});
