import { describe, expect, it } from "vitest";
import { createInputSchemas, PASSWORD_MIN_LENGTH, passwordSchemaFor } from "../service/inputs.js";
import { isBlockedPassword, normalizePassword, passwordLength } from "./password-rules.js";
import { DEFAULT_POLICY, resolvePolicy } from "./policy.js";

describe("passwords (NIST SP 800-63B-4 3.1.1.2)", () => {
  const schema = passwordSchemaFor(DEFAULT_POLICY.passwordMinLength);
  const refusal = (password: string) => {
    const parsed = schema.safeParse(password);
    return parsed.success ? null : parsed.error.issues.map((issue) => issue.message).join(" ");
  };

  it("at least 15 characters by default, 64 and more allowed, no composition rules", () => {
    expect(PASSWORD_MIN_LENGTH).toBe(15);
    expect(refusal("fourteen chars")).toMatch(/at least 15 characters/);
    expect(refusal("fifteen chars!!")).toBeNull();
    expect(refusal("all lower case words only")).toBeNull();
    expect(refusal(`${"x".repeat(63)}y`)).toBeNull();
    expect(refusal("a".repeat(30) + "b".repeat(98))).toBeNull();
    expect(refusal("z".repeat(129))).toMatch(/at most 128/);
  });

  it("counts characters as people do, and accepts any Unicode", () => {
    expect(passwordLength("🔒🔒🔒🔒🔒🔒🔒🔒🔒🔒🔒🔒🔒🔒🔒")).toBe(15);
    expect(refusal("🔒🔒🔒🔒🔒🔒🔒🔒🔒🔒🔒🔒🔒🔒🔒")).toBeNull();
    expect(refusal("пароль из нескольких слов")).toBeNull();
  });

  it("normalises to NFKC: a decomposed accent and a full-width letter give the same password", () => {
    const composed = "café au lait every morning";
    const decomposed = "cafe\u0301 au lait every morning";
    expect(composed).not.toBe(decomposed);
    expect(normalizePassword(decomposed)).toBe(composed);
    expect(normalizePassword("ｆｕｌｌ width")).toBe("full width");
    expect(schema.parse(decomposed)).toBe(composed);
  });

  it("refuses common and breached passwords from the offline list, in any case, with a clear message", () => {
    expect(isBlockedPassword("1qaz2wsx3edc4rfv")).toBe(true);
    expect(isBlockedPassword("1QAZ2WSX3EDC4RFV")).toBe(true);
    expect(refusal("1qaz2wsx3edc4rfv")).toMatch(/common or breached passwords/);
    expect(refusal("qwerty123456789")).toMatch(/common or breached passwords/);
    expect(isBlockedPassword("correct horse battery staple")).toBe(false);
  });

  it("the minimum comes from the policy (8 to 64)", () => {
    expect(() => resolvePolicy({ passwordMinLength: 7 })).toThrow();
    expect(() => resolvePolicy({ passwordMinLength: 65 })).toThrow();
    const relaxed = createInputSchemas(resolvePolicy({ passwordMinLength: 8 }));
    expect(relaxed.register.safeParse({ email: "a@b.test", password: "eight ch" }).success).toBe(
      true,
    );
  });
});
