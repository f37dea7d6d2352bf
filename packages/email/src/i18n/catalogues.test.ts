import { describe, expect, it } from "vitest";
import { BUILT_IN_LOCALES, DEFAULT_LOCALE, SUPPORTED_LOCALES } from "./index.js";

/**
 * Every catalogue must say the same things: exactly the keys of every other (deeply),
 * and each message must use the same per-message values. TypeScript already rejects a
 * catalogue with a missing key; this also catches extra keys and a translation that
 * drops or doubles a value (a dropped `${to}` would silently hide the address).
 */

type Tree = { [key: string]: unknown };

/** Keys as dotted paths, functions and strings as leaves. */
function leaves(tree: Tree, prefix = ""): Map<string, unknown> {
  const found = new Map<string, unknown>();
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix === "" ? key : `${prefix}.${key}`;
    if (value !== null && typeof value === "object") {
      for (const [inner, leaf] of leaves(value as Tree, path)) found.set(inner, leaf);
    } else {
      found.set(path, value);
    }
  }
  return found;
}

/** Formatters take numbers and dates, not text: compared by kind only. */
const FORMATTERS = new Set(["formatDuration", "formatDateTime"]);

/** The sentinels a message yields when called with one per argument, sorted (counts kept). */
function placeholdersOf(message: unknown): string[] | string {
  if (typeof message === "string") return [];
  if (typeof message !== "function") return typeof message;
  const args = Array.from({ length: message.length }, (_, index) => `⟦${index}⟧`);
  const text = (message as (...values: string[]) => string)(...args);
  return [...text.matchAll(/⟦\d+⟧/g)].map((match) => match[0]).sort();
}

const catalogues = Object.entries(BUILT_IN_LOCALES);
const reference = leaves(BUILT_IN_LOCALES[DEFAULT_LOCALE] as unknown as Tree);

describe("message catalogues", () => {
  it("are more than one, the default first in the supported list", () => {
    expect(catalogues.length).toBeGreaterThan(1);
    expect(SUPPORTED_LOCALES[0]).toBe(DEFAULT_LOCALE);
    expect([...SUPPORTED_LOCALES].sort()).toEqual(Object.keys(BUILT_IN_LOCALES).sort());
  });

  for (const [locale, messages] of catalogues) {
    describe(locale, () => {
      const own = leaves(messages as unknown as Tree);

      it("names itself by its tag", () => {
        expect(messages.lang).toBe(locale);
      });

      it("has exactly the keys of the default catalogue", () => {
        expect([...own.keys()].sort()).toEqual([...reference.keys()].sort());
      });

      it("uses the same per-message values in every message", () => {
        for (const [path, base] of reference) {
          const [name] = path.split(".").slice(-1);
          const translated = own.get(path);
          if (name !== undefined && FORMATTERS.has(name)) {
            expect(typeof translated, path).toBe("function");
            continue;
          }
          expect({ path, placeholders: placeholdersOf(translated) }).toEqual({
            path,
            placeholders: placeholdersOf(base),
          });
        }
      });

      it("formats durations and instants in its own language", () => {
        expect(messages.formatDuration(900)).toMatch(/15/);
        expect(messages.formatDateTime(new Date("2025-11-25T07:53:00Z"))).toMatch(/2025.*07:53/);
      });
    });
  }

  it("fails on a translation that drops a value (the check can fail)", () => {
    const dropped = (productName: string, _to: string) => `Sign in to ${productName}`;
    const kept = (productName: string, to: string) => `${productName} ${to}`;
    expect(placeholdersOf(dropped)).not.toEqual(placeholdersOf(kept));
    expect(leaves({ a: { b: "x" } })).not.toEqual(leaves({ a: { b: "x", c: "y" } }));
  });
});
