import { de } from "./de.js";
import { en } from "./en.js";
import type { Messages } from "./messages.js";

export type { Messages, MessagesByKind } from "./messages.js";

/**
 * The catalogues this package ships, by locale tag. THE list of languages the product
 * speaks: `SUPPORTED_LOCALES` is its keys, the API validates and negotiates against it,
 * and the web app's parity test checks that it has a catalogue for each. Adding a
 * language is adding one file here (and one in the web app). A renderer may add more
 * (see `createRenderer`).
 */
export const BUILT_IN_LOCALES = { en, de } as const satisfies Readonly<Record<string, Messages>>;

export type Locale = keyof typeof BUILT_IN_LOCALES;

/** What every email and page falls back to. */
export const DEFAULT_LOCALE = "en" satisfies Locale;

/** The supported locale tags, the default first (negotiation prefers the first on a tie). */
export const SUPPORTED_LOCALES = [
  DEFAULT_LOCALE,
  ...(Object.keys(BUILT_IN_LOCALES) as Locale[]).filter((tag) => tag !== DEFAULT_LOCALE),
] as [Locale, ...Locale[]];
