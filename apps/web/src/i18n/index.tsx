/**
 * The page's language: the signed-in account's (`auth.me.locale`, `users.locale`), or
 * without an account the one the API negotiated from this request's Accept-Language
 * (`auth.rules.locale`), so pages and emails choose alike. English by default.
 *
 * The languages themselves are in catalogues.ts.
 */
import { useQuery } from "@tanstack/react-query";
import {
  createContext,
  Fragment,
  type ReactNode,
  useContext,
  useEffect,
  useMemo,
  useState,
} from "react";
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

/**
 * The page's language, as decided by the API's answers (see the top of this file), and
 * whether they are in: the account's answer, or without an account the rules' answer
 * (failures count as answers; the pages then say what went wrong).
 */
function usePageLocale(): { locale: Locale; decided: boolean } {
  const trpc = useTRPC();
  // The same queries the header and pages make: no extra request.
  const me = useQuery(trpc.auth.me.queryOptions());
  const rules = useQuery(trpc.auth.rules.queryOptions(undefined, { staleTime: Infinity }));
  if (me.isSuccess) return { locale: me.data.locale, decided: !rules.isPending };
  const decided = !me.isPending && !rules.isPending;
  if (rules.data !== undefined) return { locale: rules.data.locale, decided };
  return { locale: browserGuess(), decided };
}

interface LocaleState {
  locale: Locale;
  catalogue: Catalogue;
  /**
   * The first answers are in and the page's language is here: until then the app
   * shows no page, so a signed-in page never flashes the signed-out state, "Loading…",
   * or another language first. Once true it stays true (later changes keep the words
   * on screen until the new ones arrive).
   */
  ready: boolean;
}

const LocaleContext = createContext<LocaleState>({
  locale: DEFAULT_LOCALE,
  catalogue: en,
  ready: true,
});

/**
 * Decides the language once for the whole app, fetches its catalogue if it is not
 * here yet, and declares it on `<html lang>`.
 */
export function LocaleProvider({ children }: { children: ReactNode }) {
  const { locale: wanted, decided } = usePageLocale();
  const [shown, setShown] = useState<{ locale: Locale; catalogue: Catalogue }>(() => ({
    locale: DEFAULT_LOCALE,
    catalogue: en,
  }));
  const [started, setStarted] = useState(false);
  const ready = loadedCatalogue(wanted);
  const current = ready === undefined ? shown : { locale: wanted, catalogue: ready };
  if (!started && decided && ready !== undefined) setStarted(true);
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
  const { locale, catalogue } = current;
  const appReady = started || (decided && ready !== undefined);
  const value = useMemo(
    () => ({ locale, catalogue, ready: appReady }),
    [locale, catalogue, appReady],
  );
  return <LocaleContext.Provider value={value}>{children}</LocaleContext.Provider>;
}

/** Whether the first answers and the page's language are in (see `LocaleState.ready`). */
export function useAppReady(): boolean {
  return useContext(LocaleContext).ready;
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
