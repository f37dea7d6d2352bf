import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { codeHashesMatch, hashCode } from "./code-hash.js";
import { CODE_TYPES } from "./code-types.js";

const key = new Uint8Array(32).fill(7);
const otherKey = new Uint8Array(32).fill(8);
const userA = "6f1c1d5e-2f4b-4c51-9a53-0a3c7f0a1b01";
const userB = "6f1c1d5e-2f4b-4c51-9a53-0a3c7f0a1b02";

describe("hashCode", () => {
  it("is a 64-character hex HMAC that never contains the code", () => {
    const hash = hashCode(key, { userId: userA, codeType: "VERIFICATION", code: "12345678" });
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).not.toContain("12345678");
  });

  it("binds the code to user, code type and key", () => {
    const base = { userId: userA, codeType: "VERIFICATION" as const, code: "12345678" };
    const hash = hashCode(key, base);
    expect(hashCode(key, base)).toBe(hash);
    expect(hashCode(key, { ...base, userId: userB })).not.toBe(hash);
    expect(hashCode(key, { ...base, codeType: "PASSWORD_RESET" })).not.toBe(hash);
    expect(hashCode(key, { ...base, code: "12345679" })).not.toBe(hash);
    expect(hashCode(otherKey, base)).not.toBe(hash);
  });

  it("distinct (user, type, code) triples never collide (property)", () => {
    const triple = fc.record({
      userId: fc.uuid(),
      codeType: fc.constantFrom(...CODE_TYPES),
      code: fc.stringMatching(/^[0-9]{6,12}$/),
    });
    fc.assert(
      fc.property(triple, triple, (a, b) => {
        fc.pre(a.userId !== b.userId || a.codeType !== b.codeType || a.code !== b.code);
        expect(hashCode(key, a)).not.toBe(hashCode(key, b));
      }),
    );
  });
});

describe("codeHashesMatch", () => {
  it("matches equal hashes and nothing else", () => {
    const hash = hashCode(key, { userId: userA, codeType: "SIGN_IN", code: "000000" });
    expect(codeHashesMatch(hash, hash)).toBe(true);
    expect(codeHashesMatch(hash, `${hash.slice(0, 63)}0`)).toBe(hash.endsWith("0"));
    expect(codeHashesMatch(hash, "short")).toBe(false);
    expect(codeHashesMatch(hash, "")).toBe(false);
  });

  it("agrees with string equality (property)", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        expect(codeHashesMatch(a, b)).toBe(a === b);
      }),
    );
  });
});
