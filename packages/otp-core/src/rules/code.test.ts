import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { generateCode, isWellFormedCode, type RandomBytes } from "./code.js";

/** A random source that replays the given bytes, then fails loudly. */
function replay(bytes: number[]): RandomBytes {
  let offset = 0;
  return (size) => {
    if (offset >= bytes.length) throw new Error("random source exhausted");
    const chunk = bytes.slice(offset, offset + size);
    offset += size;
    return Uint8Array.from(chunk);
  };
}

describe("generateCode", () => {
  it("is 8 digits by default-sized calls and any length from 6 to 12", () => {
    for (let length = 6; length <= 12; length++) {
      const code = generateCode(length);
      expect(code).toMatch(new RegExp(`^\\d{${length}}$`));
    }
  });

  it("refuses lengths outside 6..12 and non-integers", () => {
    for (const length of [0, 5, 13, 7.5, Number.NaN]) {
      expect(() => generateCode(length)).toThrow(RangeError);
    }
  });

  it("rejects bytes of 250 and above instead of folding them (no modulo bias)", () => {
    // 250..255 would map to 0..5 with a plain modulo; they must be skipped.
    const code = generateCode(
      6,
      replay([250, 251, 252, 253, 254, 255, 9, 19, 29, 39, 49, 59, 0, 0, 0, 0]),
    );
    expect(code).toBe("999999");
  });

  it("draws again when a batch is mostly rejected", () => {
    const batch1 = [255, 255, 255, 255, 255, 255, 255, 255, 255, 1];
    const code = generateCode(6, replay([...batch1, 2, 3, 4, 5, 6, 7, 8, 9, 0]));
    expect(code).toBe("123456");
  });

  it("maps every accepted byte to byte % 10 (property)", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 64, maxLength: 64 }),
        fc.integer({ min: 6, max: 12 }),
        (bytes, length) => {
          const accepted = [...bytes].filter((b) => b < 250);
          fc.pre(accepted.length >= length);
          const code = generateCode(length, replay([...bytes]));
          expect(code).toBe(
            accepted
              .slice(0, length)
              .map((b) => b % 10)
              .join(""),
          );
        },
      ),
    );
  });

  it("gives each digit about a tenth of the time from the real CSPRNG", () => {
    const counts = new Array<number>(10).fill(0);
    const samples = 4000;
    for (let i = 0; i < samples; i++) {
      for (const digit of generateCode(12))
        counts[Number(digit)] = (counts[Number(digit)] ?? 0) + 1;
    }
    const expected = (samples * 12) / 10;
    // Chi-square with 9 degrees of freedom; 27.88 is the 0.001 critical value.
    const chiSquare = counts.reduce((sum, n) => sum + (n - expected) ** 2 / expected, 0);
    expect(chiSquare).toBeLessThan(27.88);
  });
});

describe("isWellFormedCode", () => {
  it("accepts exactly N ASCII digits", () => {
    expect(isWellFormedCode("12345678", 8)).toBe(true);
    expect(isWellFormedCode("1234567", 8)).toBe(false);
    expect(isWellFormedCode("123456789", 8)).toBe(false);
    expect(isWellFormedCode("1234567a", 8)).toBe(false);
    expect(isWellFormedCode("١٢٣٤٥٦٧٨", 8)).toBe(false); // Arabic-Indic digits are not ASCII digits
  });

  it("agrees with a regular expression on arbitrary strings (property)", () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 14 }),
        fc.integer({ min: 6, max: 12 }),
        (value, length) => {
          expect(isWellFormedCode(value, length)).toBe(
            new RegExp(`^[0-9]{${length}}$`).test(value),
          );
        },
      ),
    );
  });
});
