/**
 * The page's language: the signed-in account's (`auth.me.locale`, `users.locale`), or
 * without an account the one the API negotiated from this request's Accept-Language
 * (`auth.rules.locale`), so pages and emails choose alike. English by default.
 *
 * The languages themselves are in catalogues.ts.
 */
import { useQuery } from "@tanstack/react-query";
import { createContext, Fragment, type ReactNode, useContext, useEffect } from "react";
import { useTRPC } from "../trpc.js";
import {
  CATALOGUES,
  type Catalogue,
  DEFAULT_LOCALE,
  isLocale,
  type Locale,
  setActiveLocale,
} from "./catalogues.js";

export * from "./catalogues.js";

/**
 * Before the API has answered: the browser's own list, first match by language, so the
 * first paint is usually already right (the API's answer then decides).
 */
function browserGuess(): Locale {
  for (const tag of globalThis.navigator?.languages ?? []) {
    const language = tag.toLowerCase().split("-")[0];
    if (isLocale(language)) return language;
  }
  return DEFAULT_LOCALE;
}

/** The page's language, as decided by the API's answers (see the top of this file). */
function usePageLocale(): Locale {
  const trpc = useTRPC();
  // The same queries the header and pages make: no extra request.
  const me = useQuery(trpc.auth.me.queryOptions());
  const rules = useQuery(trpc.auth.rules.queryOptions(undefined, { staleTime: Infinity }));
  if (me.isSuccess) return me.data.locale;
  if (rules.data !== undefined) return rules.data.locale;
  return browserGuess();
}

const LocaleContext = createContext<Locale>(DEFAULT_LOCALE);

/** Decides the language once for the whole app and declares it on `<html lang>`. */
export function LocaleProvider({ children }: { children: ReactNode }) {
  const locale = usePageLocale();
  setActiveLocale(locale);
  useEffect(() => {
    document.documentElement.lang = CATALOGUES[locale].lang;
  }, [locale]);
  return <LocaleContext.Provider value={locale}>{children}</LocaleContext.Provider>;
}

export function useLocale(): Locale {
  return useContext(LocaleContext);
}

/** The words of the page's language: `const t = useT(); t.signIn.heading`. */
export function useT(): Catalogue {
  return CATALOGUES[useLocale()];
}

/**
 * A sentence with elements in it: `rich(t.signIn.noAccount, { link: <Link…/> })` puts
 * each `{name}` part where the translation has it.
 */
export function rich(template: string, parts: Readonly<Record<string, ReactNode>>): ReactNode {
  return template.split(/\{(\w+)\}/).map((piece, index) => (
    // Odd pieces are the names between braces.
    // biome-ignore lint/suspicious/noArrayIndexKey: the pieces of one fixed sentence
    <Fragment key={index}>{index % 2 === 1 ? (parts[piece] ?? `{${piece}}`) : piece}</Fragment>
  ));
}
