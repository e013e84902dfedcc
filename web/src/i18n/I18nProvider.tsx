import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { currentLocale, detectLocale, fromGraphQL, setCurrentLocale, translate, type Locale, type Translate } from "./index";

// The language on screen: the viewer's choice (viewer.locale, kept by the CRM) when signed in; before that,
// or without a choice, one picked on this device (the sign-in page's picker, kept in localStorage), else the
// browser's (navigator.languages).

const STORAGE_KEY = "wispgate.locale";

interface I18nApi {
  locale: Locale;
  t: Translate;
  /** Show the portal in `locale` now (the caller saves the choice with `setLocale` when signed in). */
  choose(locale: Locale): void;
}

const I18nContext = createContext<I18nApi | null>(null);

function storedLocale(): Locale | null {
  try {
    return fromGraphQL(globalThis.localStorage?.getItem(STORAGE_KEY));
  } catch {
    return null; // storage disabled: the browser's language then
  }
}

function browserLocale(): Locale {
  const nav = globalThis.navigator;
  return detectLocale(nav?.languages?.length ? nav.languages : nav?.language ? [nav.language] : []);
}

export function I18nProvider({ viewerLocale, children }: { viewerLocale?: string | null; children: ReactNode }) {
  const [picked, setPicked] = useState<Locale | null>(() => storedLocale());
  const chosen = fromGraphQL(viewerLocale);
  // A choice made on this screen wins until the next viewer answer carries it.
  const [override, setOverride] = useState<Locale | null>(null);
  const locale = override ?? chosen ?? picked ?? browserLocale();
  setCurrentLocale(locale); // before the children render, so helpers outside React format in it too

  useEffect(() => {
    setOverride(null);
  }, [viewerLocale]);
  useEffect(() => {
    document.documentElement.lang = locale === "pt" ? "pt-BR" : locale;
  }, [locale]);

  const choose = useCallback((next: Locale) => {
    setOverride(next);
    setPicked(next);
    try {
      globalThis.localStorage?.setItem(STORAGE_KEY, next);
    } catch {
      // not kept on this device; the CRM keeps it for a signed-in viewer anyway
    }
  }, []);

  const api = useMemo<I18nApi>(
    () => ({ locale, choose, t: (key, vars) => translate(locale, key, vars) }),
    [locale, choose],
  );
  return <I18nContext.Provider value={api}>{children}</I18nContext.Provider>;
}

// Outside a provider (a component rendered alone in a unit test): the language helpers outside React use.
const FALLBACK: I18nApi = { locale: "en", t: (key, vars) => translate(currentLocale(), key, vars), choose: () => {} };

function useI18n(): I18nApi {
  return useContext(I18nContext) ?? FALLBACK;
}

/** The translate function of the language on screen: `t("nav.invoices")`, `t("invoices.count", { count })`. */
export function useT(): Translate {
  return useI18n().t;
}

/** The language on screen and how to change it. */
export function useLocale(): { locale: Locale; choose: (locale: Locale) => void } {
  const { locale, choose } = useI18n();
  return { locale, choose };
}
