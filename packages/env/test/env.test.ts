import {
  DEFAULT_POLICY,
  DEFAULT_SESSION_TTL_SECONDS,
  MAX_CODE_LENGTH,
  MIN_CODE_LENGTH,
} from "@otp/core";
import { describe, expect, it } from "vitest";
import {
  parseEnv,
  policyFromEnv,
  policyVariables,
  sessionVariables,
  variableRules,
} from "../src/index.js";

describe("shared environment variables", () => {
  it("the OTP_* defaults are the core policy's defaults", () => {
    const parsed = parseEnv(policyVariables, {});
    expect(parsed.ok && policyFromEnv(parsed.env)).toEqual(DEFAULT_POLICY);
  });

  it("the OTP_* bounds are the core policy's bounds, named in the message", () => {
    for (const value of [MIN_CODE_LENGTH - 1, MAX_CODE_LENGTH + 1]) {
      const parsed = parseEnv(policyVariables, { OTP_LENGTH: String(value) });
      expect(parsed.ok).toBe(false);
      if (!parsed.ok)
        expect(parsed.problems.join("\n")).toMatch(/^OTP_LENGTH: must be at (least|most)/);
    }
    const parsed = parseEnv(policyVariables, { OTP_LENGTH: String(MAX_CODE_LENGTH) });
    expect(parsed.ok && parsed.env.OTP_LENGTH).toBe(MAX_CODE_LENGTH);
  });

  it("the session lifetime's default is the service's", () => {
    const parsed = parseEnv(sessionVariables, {});
    expect(parsed.ok && parsed.env.SESSION_TTL_SECONDS).toBe(DEFAULT_SESSION_TTL_SECONDS);
  });

  it("an empty variable is unset, and a required one says so without echoing values", () => {
    const parsed = parseEnv(
      { SMTP_URL: variableRules.SMTP_URL(), APP_SECRET: variableRules.APP_SECRET("is not set") },
      { SMTP_URL: "http://user:hunter2@mail", APP_SECRET: "" },
    );
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problems).toEqual([
      "SMTP_URL: must start with smtp:// or smtps://",
      "APP_SECRET: is not set",
    ]);
  });
});
