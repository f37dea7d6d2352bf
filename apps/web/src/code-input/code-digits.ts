import { activeCatalogue } from "../i18n/catalogues.js";

/**
 * The pure rules behind the code input: what a typed, pasted or autofilled
 * text becomes. The code length is always the API's (`auth.rules`), passed in;
 * nothing here knows what it is.
 */

/**
 * The code in any text: "1234 5678", "1234-5678", "Your code: 12345678" and
 * full-width "１２３４５６７８" all give "12345678". NFKC turns compatibility
 * digits (full-width, circled, superscript) into ASCII ones; everything else
 * that is not a digit is dropped. At most `length` digits are kept.
 */
export function normaliseCode(text: string, length: number): string {
  return text
    .normalize("NFKC")
    .replace(/[^0-9]/g, "")
    .slice(0, length);
}

/**
 * What a paste becomes: the whole code when the text holds one, replacing
 * what was typed; otherwise the digits appended to what is there.
 */
export function pasteIntoCode(current: string, pasted: string, length: number): string {
  const digits = normaliseCode(pasted, Number.POSITIVE_INFINITY);
  if (digits.length >= length) return digits.slice(0, length);
  return normaliseCode(current + digits, length);
}

export function isComplete(code: string, length: number): boolean {
  return length > 0 && code.length === length && /^[0-9]+$/.test(code);
}

/** "a 6-digit code", "an 8-digit code", "an 11-digit code": the code, named in a sentence. */
export function aCodeOfLength(length: number): string {
  return activeCatalogue().code.aCodeOfLength(length);
}
