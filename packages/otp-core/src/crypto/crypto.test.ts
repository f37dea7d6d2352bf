import { describe, expect, it } from "vitest";
import { deriveKeys } from "./keys.js";
import { openPayload, sealPayload } from "./sealed-payload.js";

const secret = "a-test-secret-that-is-long-enough-0123456789";

describe("deriveKeys", () => {
  it("derives distinct 32-byte keys per purpose, deterministically", () => {
    const keys = deriveKeys(secret);
    expect(keys.codeHmac).toHaveLength(32);
    expect(Buffer.from(keys.codeHmac).equals(Buffer.from(keys.outboxEncryption))).toBe(false);
    expect(Buffer.from(deriveKeys(secret).codeHmac).equals(Buffer.from(keys.codeHmac))).toBe(true);
  });

  it("refuses a short secret", () => {
    expect(() => deriveKeys("short")).toThrow(/at least 32/);
  });
});

describe("sealed payloads", () => {
  const key = deriveKeys(secret).outboxEncryption;

  it("round-trips and hides the plaintext", () => {
    const sealed = sealPayload(key, "row-1", '{"code":"12345678"}');
    expect(sealed.toString("latin1")).not.toContain("12345678");
    expect(openPayload(key, "row-1", sealed)).toBe('{"code":"12345678"}');
  });

  it("uses a fresh nonce each time", () => {
    expect(sealPayload(key, "row-1", "x").equals(sealPayload(key, "row-1", "x"))).toBe(false);
  });

  it("refuses another row's id, another key, and any altered byte", () => {
    const sealed = sealPayload(key, "row-1", "hello");
    expect(() => openPayload(key, "row-2", sealed)).toThrow();
    expect(() => openPayload(deriveKeys(`${secret}x`).outboxEncryption, "row-1", sealed)).toThrow();
    for (let i = 0; i < sealed.length; i++) {
      const altered = Buffer.from(sealed);
      altered[i] = (altered[i] ?? 0) ^ 1;
      expect(() => openPayload(key, "row-1", altered)).toThrow();
    }
  });
});
