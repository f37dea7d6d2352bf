/**
 * The pure state changes behind the code input: one digit per box. The number
 * of boxes is always the API's code length (`auth.rules`), passed in; nothing
 * here knows what it is.
 */

/** What the input looks like after a change, and which box should have focus. */
export interface CodeInputState {
  digits: string[];
  focusIndex: number;
}

export function emptyDigits(length: number): string[] {
  return Array.from({ length }, () => "");
}

/** The ASCII digits of pasted or typed text: "1234 5678", "1234-5678" and " 12345678\n" all give "12345678". */
export function extractDigits(text: string): string {
  return text.replace(/[^0-9]/g, "");
}

export function isComplete(digits: readonly string[]): boolean {
  return digits.length > 0 && digits.every((digit) => /^[0-9]$/.test(digit));
}

export function joinDigits(digits: readonly string[]): string {
  return digits.join("");
}

function clampIndex(index: number, length: number): number {
  return Math.min(Math.max(index, 0), length - 1);
}

/**
 * The box at `index` received `text`: a typed key, its new value after a
 * browser edit, an autofill, or a paste.
 *
 * - A whole code (as many digits as there are boxes) fills every box, whichever box it landed in.
 * - A single digit replaces the box's digit and moves focus to the next box.
 * - Several digits fill the boxes from `index` onwards.
 * - Empty text clears the box (a mobile keyboard's delete may arrive only as an edit).
 * - Other text without digits changes nothing (a letter typed by mistake does not erase a digit).
 */
export function applyText(digits: readonly string[], index: number, text: string): CodeInputState {
  const length = digits.length;
  if (text === "") return clearAt(digits, index);
  const incoming = extractDigits(text);
  if (incoming === "") return { digits: [...digits], focusIndex: index };

  if (incoming.length === length) {
    return { digits: incoming.split(""), focusIndex: length - 1 };
  }

  // A browser edit of a box that already held a digit gives both: keep the new one.
  const previous = digits[index] ?? "";
  let typed = incoming;
  if (incoming.length === 2 && previous !== "" && incoming.includes(previous)) {
    typed = incoming[0] === previous ? incoming.slice(1) : incoming.slice(0, 1);
  }

  const next = [...digits];
  let position = index;
  for (const digit of typed) {
    if (position >= length) break;
    next[position] = digit;
    position += 1;
  }
  return { digits: next, focusIndex: clampIndex(position, length) };
}

/** Backspace in box `index`: clear its digit, or when it is empty, clear the previous box and move there. */
export function backspace(digits: readonly string[], index: number): CodeInputState {
  const next = [...digits];
  if (next[index] !== "" && next[index] !== undefined) {
    next[index] = "";
    return { digits: next, focusIndex: index };
  }
  const previous = clampIndex(index - 1, digits.length);
  next[previous] = "";
  return { digits: next, focusIndex: previous };
}

/** Delete in box `index`: clear it and stay. */
export function clearAt(digits: readonly string[], index: number): CodeInputState {
  const next = [...digits];
  next[index] = "";
  return { digits: next, focusIndex: index };
}

export type NavigationKey = "ArrowLeft" | "ArrowRight" | "Home" | "End";

/** Where focus goes for an arrow, Home or End key pressed in box `index`. */
export function moveFocus(length: number, index: number, key: NavigationKey): number {
  switch (key) {
    case "ArrowLeft":
      return clampIndex(index - 1, length);
    case "ArrowRight":
      return clampIndex(index + 1, length);
    case "Home":
      return 0;
    case "End":
      return length - 1;
  }
}

export function isNavigationKey(key: string): key is NavigationKey {
  return key === "ArrowLeft" || key === "ArrowRight" || key === "Home" || key === "End";
}

/** "a 6-digit code", "an 8-digit code", "an 11-digit code": the code, named in a sentence. */
export function aCodeOfLength(length: number): string {
  // "an" before the numbers said with a vowel sound: eight, eleven, eighteen, eighty…
  const article = /^(8|11|18)$|^8\d$/.test(String(length)) ? "an" : "a";
  return `${article} ${length}-digit code`;
}
