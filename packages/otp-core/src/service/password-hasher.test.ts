import { describe, expect, it } from "vitest";
import { createArgon2Hasher } from "./password-hasher.js";

describe("createArgon2Hasher", () => {
  it("hashes with argon2id and verifies only the right password", async () => {
    const hasher = createArgon2Hasher({ memoryCost: 1024, timeCost: 1 });
    const stored = await hasher.hash("correct horse battery staple");
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=1024,t=1,p=1\$/);
    expect(await hasher.verify(stored, "correct horse battery staple")).toBe(true);
    expect(await hasher.verify(stored, "wrong")).toBe(false);
    expect(await hasher.verify("not a hash", "anything")).toBe(false);
  });

  it("runs at most maxConcurrent hashes at once, and every one completes", async () => {
    const hasher = createArgon2Hasher({ memoryCost: 1024, timeCost: 1, maxConcurrent: 1 });
    const hashes = await Promise.all(
      Array.from({ length: 6 }, (_, i) => hasher.hash(`password ${i}`)),
    );
    expect(new Set(hashes).size).toBe(6);
    expect(await hasher.verify(hashes[3] ?? "", "password 3")).toBe(true);
  });

  it("uses OWASP's baseline cost by default (19 MiB, t=2, p=1)", async () => {
    const stored = await createArgon2Hasher().hash("x");
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });
});
