/**
 * The page's language: the signed-in account's (`auth.me.locale`, `users.locale`), or
 * without an account the one the API negotiated from this request's Accept-Language
 * (`auth.rules.locale`), so pages and emails choose alike. English by default.
 *
 * The languages themselves are in catalogues.ts.
 */
import { useQuery } from "@tanstack/react-query";
import { createContext, Fragment, type ReactNode, useContext, useEffect, useState } from "react";
import { useTRPC } from "../trpc.js";
import {
  type Catalogue,
  DEFAULT_LOCALE,
  isLocale,
  type Locale,
  loadCatalogue,
  loadedCatalogue,
  setActiveCatalogue,
} from "./catalogues.js";
import { en } from "./en.js";

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

const LocaleContext = createContext<{ locale: Locale; catalogue: Catalogue }>({
  locale: DEFAULT_LOCALE,
  catalogue: en,
});

/**
 * Decides the language once for the whole app, fetches its catalogue if it is not
 * here yet (the page keeps the words it has until then), and declares it on
 * `<html lang>`.
 */
export function LocaleProvider({ children }: { children: ReactNode }) {
  const wanted = usePageLocale();
  const [shown, setShown] = useState<{ locale: Locale; catalogue: Catalogue }>(() => ({
    locale: DEFAULT_LOCALE,
    catalogue: en,
  }));
  const ready = loadedCatalogue(wanted);
  const current = ready === undefined ? shown : { locale: wanted, catalogue: ready };
  setActiveCatalogue(current.catalogue);
  useEffect(() => {
    let live = true;
    void loadCatalogue(wanted).then((catalogue) => {
      if (live) setShown({ locale: wanted, catalogue });
    });
    return () => {
      live = false;
    };
  }, [wanted]);
  useEffect(() => {
    document.documentElement.lang = current.catalogue.lang;
  }, [current.catalogue]);
  return <LocaleContext.Provider value={current}>{children}</LocaleContext.Provider>;
}

/** The language the page shows now. */
export function useLocale(): Locale {
  return useContext(LocaleContext).locale;
}

/** The words of the page's language: `const t = useT(); t.signIn.heading`. */
export function useT(): Catalogue {
  return useContext(LocaleContext).catalogue;
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
