import { describe, expect, it } from "vitest";
import { aCodeOfLength, isComplete, normaliseCode, pasteIntoCode } from "./code-digits.js";

describe("normaliseCode", () => {
  it.each([
    ["12345678", "12345678"],
    ["1234 5678", "12345678"],
    ["1234-5678", "12345678"],
    [" 12 34\t56–78\n", "12345678"],
    ["Your code: 1234 5678", "12345678"],
    ["１２３４ ５６７８", "12345678"],
    ["１２３４-5678", "12345678"],
    ["abc", ""],
    ["", ""],
  ])("%j gives %j", (text, expected) => {
    expect(normaliseCode(text, 8)).toBe(expected);
  });

  it("keeps at most the code length", () => {
    expect(normaliseCode("1234567890", 8)).toBe("12345678");
    expect(normaliseCode("12-34-56-78", 6)).toBe("123456");
  });

  it("keeps only digits that NFKC makes ASCII (not other scripts' numerals)", () => {
    expect(normaliseCode("١٢٣4", 8)).toBe("4");
  });
});

describe("pasteIntoCode", () => {
  it("a whole code replaces what was typed", () => {
    expect(pasteIntoCode("999", "1234 5678", 8)).toBe("12345678");
    expect(pasteIntoCode("", "１２３４５６７８", 8)).toBe("12345678");
  });

  it("part of a code is appended", () => {
    expect(pasteIntoCode("12", "345", 8)).toBe("12345");
    expect(pasteIntoCode("123456", "789", 8)).toBe("12345678");
  });

  it("text without digits changes nothing", () => {
    expect(pasteIntoCode("12", "hello", 8)).toBe("12");
  });
});

describe("isComplete", () => {
  it("is true only for exactly the code length in digits", () => {
    expect(isComplete("12345678", 8)).toBe(true);
    expect(isComplete("1234567", 8)).toBe(false);
    expect(isComplete("", 8)).toBe(false);
    expect(isComplete("", 0)).toBe(false);
  });
});

describe("aCodeOfLength", () => {
  it.each([
    [6, "a 6-digit code"],
    [8, "an 8-digit code"],
    [10, "a 10-digit code"],
    [11, "an 11-digit code"],
    [12, "a 12-digit code"],
  ])("%i gives %j", (length, words) => {
    expect(aCodeOfLength(length)).toBe(words);
  });
});
