import en from "./en.json";
import es from "./es.json";
import pt from "./pt.json";

// The portal's languages: one JSON catalog per language, keyed by dotted message ids ("nav.invoices"). The
// English catalog defines the keys: `Messages` is typed from it, so a key missing from es.json or pt.json is a
// type error (and `i18n.test.ts` also fails on an empty one). JSON rather than TS objects so that the browser
// test (tests/browser/test_languages.py) and translators' tools read the same files. How to add a string or
// a language: docs/languages.md.
//
// A message is a string with {placeholders}, or plural forms chosen by Intl.PluralRules ("one", "other", and
// "zero"/"few"/"many" where a language needs them): { "one": "{count} invoice", "other": "{count} invoices" }.

export const LOCALES = ["en", "es", "pt"] as const;
export type Locale = (typeof LOCALES)[number];

export type Plural = { one: string; other: string } & Partial<Record<"zero" | "two" | "few" | "many", string>>;
type English = typeof en;
export type MessageKey = keyof English;
export type Messages = { [K in MessageKey]: English[K] extends string ? string : Plural };
export type Vars = Record<string, string | number>;

export const CATALOGS: Record<Locale, Messages> = { en, es, pt };

/** The BCP 47 tag each language formats dates, numbers and money with (Intl). pt is Brazilian Portuguese. */
export const INTL_LOCALE: Record<Locale, string> = { en: "en-US", es: "es", pt: "pt-BR" };

/** Each language named in itself, for the picker. */
export const LANGUAGE_NAME: Record<Locale, string> = { en: "English", es: "Español", pt: "Português (Brasil)" };

/** The GraphQL `Locale` enum ↔ our codes. */
export function fromGraphQL(value: string | null | undefined): Locale | null {
  const code = value?.toLowerCase();
  return (LOCALES as readonly string[]).includes(code ?? "") ? (code as Locale) : null;
}
export function toGraphQL(locale: Locale): "EN" | "ES" | "PT" {
  return locale.toUpperCase() as "EN" | "ES" | "PT";
}

/** The first of the browser's languages we have, by primary subtag (es-MX → es, pt-PT → pt); English else. */
export function detectLocale(languages: readonly string[] | undefined): Locale {
  for (const tag of languages ?? []) {
    const primary = tag.toLowerCase().split("-")[0];
    const found = LOCALES.find((l) => l === primary);
    if (found) return found;
  }
  return "en";
}

function fill(text: string, vars: Vars | undefined, locale: Locale): string {
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = vars[name];
    if (value === undefined) return whole;
    return typeof value === "number" ? value.toLocaleString(INTL_LOCALE[locale]) : value;
  });
}

const pluralRules = new Map<Locale, Intl.PluralRules>();

/** The message `key` in `locale`, placeholders filled; a plural message picks its form by `vars.count`. */
export function translate(locale: Locale, key: MessageKey, vars?: Vars): string {
  const message = (CATALOGS[locale][key] ?? CATALOGS.en[key]) as string | Plural;
  if (typeof message === "string") return fill(message, vars, locale);
  let rules = pluralRules.get(locale);
  if (!rules) {
    rules = new Intl.PluralRules(INTL_LOCALE[locale]);
    pluralRules.set(locale, rules);
  }
  const count = Number(vars?.count ?? 0);
  const form = rules.select(count) as keyof Plural;
  return fill(message[form] ?? message.other, vars, locale);
}

export type Translate = (key: MessageKey, vars?: Vars) => string;

// The language on screen, for code outside React (formatting helpers, label tables, error wording). The
// provider (`I18nProvider`) sets it before its children render.
let current: Locale = "en";

export function currentLocale(): Locale {
  return current;
}

export function setCurrentLocale(locale: Locale): void {
  current = locale;
}

/** `translate` in the language on screen. */
export const t: Translate = (key, vars) => translate(current, key, vars);

/** The Intl tag of the language on screen ("pt-BR"). */
export function intlLocale(): string {
  return INTL_LOCALE[current];
}

/** Whether `key` is a message (for keys built at run time, e.g. `code.${code}`). */
export function hasMessage(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(CATALOGS.en, key);
}
