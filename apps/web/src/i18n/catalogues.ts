/**
 * The web app's languages, one catalogue each, and the one the page shows now. Pure
 * (no React): error texts and times read `activeCatalogue()`; the provider (index.tsx)
 * sets it.
 *
 * The list of languages is the API's (the email catalogues, ADR 13): `Locale` is read
 * from its types, so a language the emails speak and this app does not is a type error
 * here, and adding one is adding one catalogue file beside this one.
 */
import type { AppRouter } from "@otp/api/router";
import type { inferRouterOutputs } from "@trpc/server";
import { de } from "./de.js";
import { type Catalogue, en } from "./en.js";

export type { Catalogue };

/** Every language the API offers (`auth.rules.locales`). */
export type Locale = inferRouterOutputs<AppRouter>["auth"]["rules"]["locale"];

export const DEFAULT_LOCALE: Locale = "en";

/** One catalogue per language: THE place a language is added to the web app. */
export const CATALOGUES: Readonly<Record<Locale, Catalogue>> = { en, de };

export function isLocale(value: unknown): value is Locale {
  return typeof value === "string" && Object.hasOwn(CATALOGUES, value);
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
export function setActiveLocale(locale: Locale): void {
  active = CATALOGUES[locale];
}
