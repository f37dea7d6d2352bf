/**
 * The web app's languages, one catalogue each, and the one the page shows now. Pure
 * (no React): error texts and times read `activeCatalogue()`; the provider (index.tsx)
 * sets it.
 *
 * English (`en.ts`, the reference every other catalogue is typed by) is in the first
 * download; every other language is a file in `locales/` (`locales/de.ts`), found by
 * its name and downloaded only when a page needs it. Adding a language is adding one
 * such file. The list of languages is the API's (the email catalogues, ADR 15):
 * `Locale` is read from its types, and a test checks that the files match it.
 */
import type { AppRouter } from "@otp/api/router";
import type { inferRouterOutputs } from "@trpc/server";
import { type Catalogue, en } from "./en.js";

export type { Catalogue };

/** Every language the API offers (`auth.rules.locales`). */
export type Locale = inferRouterOutputs<AppRouter>["auth"]["rules"]["locale"];

export const DEFAULT_LOCALE: Locale = "en";

/** `locales/de.ts` -> "de": each file's default export is its catalogue, loaded on demand. */
const files = import.meta.glob<Catalogue>("./locales/*.ts", { import: "default" });
const loaders = new Map<string, () => Promise<Catalogue>>([
  [DEFAULT_LOCALE, () => Promise.resolve(en)],
  ...Object.entries(files).map(
    ([file, load]) => [file.replace(/^.*\/([^/]+)\.ts$/, "$1"), load] as const,
  ),
]);

/** The languages this app has catalogues for, English first. */
export const LOCALES = [...loaders.keys()] as Locale[];

const loaded = new Map<string, Catalogue>([[DEFAULT_LOCALE, en]]);

export function isLocale(value: unknown): value is Locale {
  return typeof value === "string" && loaders.has(value);
}

/** The catalogue of a language if it is already here, else undefined (see `loadCatalogue`). */
export function loadedCatalogue(locale: Locale): Catalogue | undefined {
  return loaded.get(locale);
}

/** The catalogue of a language, downloading it the first time; English for an unknown tag. */
export async function loadCatalogue(locale: string): Promise<Catalogue> {
  const ready = loaded.get(locale);
  if (ready !== undefined) return ready;
  const load = loaders.get(locale);
  if (load === undefined) return en;
  const catalogue = await load();
  loaded.set(locale, catalogue);
  return catalogue;
}

/** A language's own name for itself ("Deutsch", "English"), from Intl: no catalogue needed. */
export function languageName(locale: Locale): string {
  const name = new Intl.DisplayNames([locale], { type: "language" }).of(locale) ?? locale;
  return name.charAt(0).toLocaleUpperCase(locale) + name.slice(1);
}

/**
 * Words used outside components (error texts, times) follow the page's language:
 * the provider sets this before its children render.
 */
let active: Catalogue = en;

export function activeCatalogue(): Catalogue {
  return active;
}

/** For tests and the provider. */
export function setActiveCatalogue(catalogue: Catalogue): void {
  active = catalogue;
}
