import { describe, expect, it } from "vitest";
import {
  aCodeOfLength,
  applyText,
  backspace,
  clearAt,
  emptyDigits,
  extractDigits,
  isComplete,
  joinDigits,
  moveFocus,
} from "./code-digits.js";

const digitsOf = (code: string, length = code.length) => {
  const digits = emptyDigits(length);
  code.split("").forEach((digit, index) => {
    digits[index] = digit;
  });
  return digits;
};

describe("extractDigits", () => {
  it.each([
    ["12345678", "12345678"],
    ["1234 5678", "12345678"],
    ["1234-5678", "12345678"],
    [" 12 34\t56–78\n", "12345678"],
    ["Your code: 1234 5678", "12345678"],
    ["abc", ""],
    ["", ""],
  ])("%j gives %j", (text, expected) => {
    expect(extractDigits(text)).toBe(expected);
  });

  it("keeps only ASCII digits (not other scripts' numerals)", () => {
    expect(extractDigits("١٢٣4")).toBe("4");
  });
});

describe("applyText: typing", () => {
  it("puts a digit in the box and moves focus to the next one", () => {
    expect(applyText(emptyDigits(8), 0, "7")).toEqual({ digits: digitsOf("7", 8), focusIndex: 1 });
  });

  it("keeps focus on the last box when it is filled", () => {
    const state = applyText(digitsOf("1234567", 8), 7, "8");
    expect(joinDigits(state.digits)).toBe("12345678");
    expect(state.focusIndex).toBe(7);
    expect(isComplete(state.digits)).toBe(true);
  });

  it("replaces the digit of a box that already held one", () => {
    expect(applyText(digitsOf("123", 8), 1, "9").digits.slice(0, 3)).toEqual(["1", "9", "3"]);
  });

  it("keeps the new digit when a browser edit gives old and new together", () => {
    expect(applyText(digitsOf("123", 8), 1, "29").digits[1]).toBe("9");
    expect(applyText(digitsOf("123", 8), 1, "92").digits[1]).toBe("9");
  });

  it("ignores text without digits, leaving the box as it was", () => {
    expect(applyText(digitsOf("123", 8), 1, "a")).toEqual({
      digits: digitsOf("123", 8),
      focusIndex: 1,
    });
  });

  it("clears the box when its text is emptied (a mobile keyboard's delete)", () => {
    expect(applyText(digitsOf("123", 8), 1, "")).toEqual({
      digits: ["1", "", "3", "", "", "", "", ""],
      focusIndex: 1,
    });
  });
});

describe("applyText: paste and autofill", () => {
  it.each([0, 3, 7])("a whole code pasted into box %i fills every box", (index) => {
    const state = applyText(emptyDigits(8), index, "1234 5678");
    expect(joinDigits(state.digits)).toBe("12345678");
    expect(state.focusIndex).toBe(7);
  });

  it("a whole code replaces digits already typed", () => {
    expect(joinDigits(applyText(digitsOf("999", 8), 2, "1234-5678").digits)).toBe("12345678");
  });

  it("part of a code fills the boxes from where it was pasted", () => {
    const state = applyText(digitsOf("12", 8), 2, "345");
    expect(joinDigits(state.digits)).toBe("12345");
    expect(state.focusIndex).toBe(5);
  });

  it("extra digits beyond the last box are dropped", () => {
    const state = applyText(emptyDigits(8), 6, "123");
    expect(state.digits.slice(6)).toEqual(["1", "2"]);
    expect(state.focusIndex).toBe(7);
  });

  it("works for any code length the API chooses", () => {
    expect(joinDigits(applyText(emptyDigits(6), 0, "12-34-56").digits)).toBe("123456");
    expect(joinDigits(applyText(emptyDigits(12), 5, "1234 5678 9012").digits)).toBe("123456789012");
  });
});

describe("backspace, delete and arrows", () => {
  it("backspace clears a filled box and stays", () => {
    expect(backspace(digitsOf("123", 8), 2)).toEqual({
      digits: digitsOf("12", 8),
      focusIndex: 2,
    });
  });

  it("backspace in an empty box clears the previous one and moves there", () => {
    expect(backspace(digitsOf("123", 8), 3)).toEqual({
      digits: digitsOf("12", 8),
      focusIndex: 2,
    });
  });

  it("backspace in the first empty box stays there", () => {
    expect(backspace(emptyDigits(8), 0)).toEqual({ digits: emptyDigits(8), focusIndex: 0 });
  });

  it("delete clears the box and stays", () => {
    expect(clearAt(digitsOf("123", 8), 0).digits.slice(0, 3)).toEqual(["", "2", "3"]);
  });

  it("arrows move one box and stop at the ends; Home and End jump", () => {
    expect(moveFocus(8, 3, "ArrowLeft")).toBe(2);
    expect(moveFocus(8, 3, "ArrowRight")).toBe(4);
    expect(moveFocus(8, 0, "ArrowLeft")).toBe(0);
    expect(moveFocus(8, 7, "ArrowRight")).toBe(7);
    expect(moveFocus(8, 5, "Home")).toBe(0);
    expect(moveFocus(8, 2, "End")).toBe(7);
  });
});

describe("isComplete", () => {
  it("is true only when every box holds a digit", () => {
    expect(isComplete(digitsOf("12345678"))).toBe(true);
    expect(isComplete(digitsOf("1234567", 8))).toBe(false);
    expect(isComplete(emptyDigits(8))).toBe(false);
    expect(isComplete([])).toBe(false);
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
