import { SUPPORTED_LOCALES } from "@otp/email";
import { afterEach, describe, expect, it } from "vitest";
import { describeFailure, formFailure } from "../errors/api-errors.js";
import { formatCountdown, formatDuration, formatRetryAt } from "../time/retry-time.js";
import {
  type Catalogue,
  DEFAULT_LOCALE,
  LOCALES,
  languageName,
  loadCatalogue,
  setActiveCatalogue,
} from "./catalogues.js";
import { en } from "./en.js";

const CATALOGUES: Record<string, Catalogue> = Object.fromEntries(
  await Promise.all(LOCALES.map(async (locale) => [locale, await loadCatalogue(locale)])),
);
const setActiveLocale = (locale: string) => setActiveCatalogue(CATALOGUES[locale] ?? en);

/**
 * Every catalogue must say the same things: exactly the keys of the English one
 * (deeply), and each entry the same placeholders: the `{name}` parts a page fills with
 * elements, and every argument of a function (called with sentinels). TypeScript already
 * rejects a missing key; this also catches extra keys and a dropped or misspelt part.
 */

type Tree = { [key: string]: unknown };

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

/** Sentinels: numbers for counts and lengths (a plural branch still shows them), text otherwise. */
const SENTINEL_NUMBERS = [7301, 7302, 7303, 7304];

function placeholdersOf(entry: unknown): string[] | string {
  if (entry === undefined) return "missing";
  if (typeof entry === "function") {
    const texts = [
      (entry as (...args: unknown[]) => string)(...SENTINEL_NUMBERS),
      (entry as (...args: unknown[]) => string)(...SENTINEL_NUMBERS.map((n) => `⟦${n}⟧`)),
    ];
    // Whichever kind of argument the entry takes, the sentinels it shows, and its parts.
    return [
      ...new Set(texts.flatMap((text) => [...text.matchAll(/⟦?(730\d)⟧?|\{\w+\}/g)].map(name))),
    ].sort();
  }
  if (typeof entry === "string") return [...entry.matchAll(/\{\w+\}/g)].map((m) => m[0]).sort();
  return typeof entry;
}

function name(match: RegExpMatchArray): string {
  return match[1] ?? match[0];
}

const reference = leaves(CATALOGUES[DEFAULT_LOCALE] as unknown as Tree);
/** Not words: the tag and the date locale differ by design. */
const NOT_WORDS = new Set(["lang", "dateLocale"]);
/** English shows the API's own words for refused fields (null); other languages word them (typed). */
const OWN_WORDS = "fieldProblems";

describe("web catalogues", () => {
  afterEach(() => setActiveLocale(DEFAULT_LOCALE));

  it("cover exactly the languages the emails speak (one list: the email catalogues)", () => {
    expect([...LOCALES].sort()).toEqual([...SUPPORTED_LOCALES].sort());
    expect(LOCALES[0]).toBe(DEFAULT_LOCALE);
    expect(languageName("de")).toBe("Deutsch");
    expect(languageName("en")).toBe("English");
  });

  for (const [locale, catalogue] of Object.entries(CATALOGUES)) {
    describe(locale, () => {
      const own = leaves(catalogue as unknown as Tree);

      it("names itself by its tag", () => {
        expect(catalogue.lang).toBe(locale);
      });

      it("has exactly the keys of the English catalogue", () => {
        const outside = (keys: Iterable<string>) =>
          [...keys].filter((key) => !key.startsWith(OWN_WORDS)).sort();
        expect(outside(own.keys())).toEqual(outside(reference.keys()));
        if (locale !== DEFAULT_LOCALE) expect(catalogue.fieldProblems).not.toBeNull();
      });

      it("uses the same placeholders in every entry", () => {
        for (const [path, base] of reference) {
          if (NOT_WORDS.has(path) || path.startsWith(OWN_WORDS)) continue;
          expect({ path, placeholders: placeholdersOf(own.get(path)) }).toEqual({
            path,
            placeholders: placeholdersOf(base),
          });
        }
      });
    });
  }

  it("the check can fail: a dropped argument or part is seen", () => {
    expect(placeholdersOf((n: number) => `${n} left`)).not.toEqual(placeholdersOf(() => "left"));
    expect(placeholdersOf("Sign in {link}.")).not.toEqual(placeholdersOf("Sign in."));
  });

  it("error texts and times follow the active language", () => {
    const now = new Date("2030-01-01T12:00:00Z");
    const retryAt = new Date("2030-01-01T12:12:00Z");
    setActiveLocale("de");
    expect(formatDuration(12 * 60_000)).toBe("in 12 Minuten");
    expect(formatRetryAt(retryAt, now, { locale: "de-DE", timeZone: "UTC" })).toBe(
      "in 12 Minuten (um 12:12)",
    );
    expect(formatCountdown(41 * 60_000)).toBe("41 Min.");
    expect(describeFailure({ code: "OTP_INVALID", attemptsLeft: 2, fieldErrors: {} }).text).toBe(
      "Dieser Code stimmt nicht. Du hast noch 2 Versuche.",
    );
    expect(describeFailure({ code: "UNAUTHORIZED", fieldErrors: {} }).text).toBe(
      "Melde dich an, um fortzufahren.",
    );
    // The API words field messages in English; a German page says it in German.
    const refused = { code: "INVALID_INPUT" as const, fieldErrors: { email: ["Enter a valid…"] } };
    expect(formFailure(refused, ["email"]).fields.email).toBe(
      "Gib eine gültige E-Mail-Adresse ein, zum Beispiel name@example.com.",
    );
    expect(formFailure(refused, []).message).toBe(
      "Gib eine gültige E-Mail-Adresse ein, zum Beispiel name@example.com.",
    );
    setActiveLocale("en");
    expect(describeFailure({ code: "UNAUTHORIZED", fieldErrors: {} }).text).toBe(
      "Sign in to continue.",
    );
    expect(formFailure(refused, ["email"]).fields.email).toBe("Enter a valid…");
  });
});
