import { describe, expect, it } from "vitest";
import { formatDate, formatMoney } from "../format";
import { SET_AUTOPAY, userErrorText } from "../userErrors";
import { CATALOGS, detectLocale, LOCALES, setCurrentLocale, translate, type MessageKey } from "./index";
import { scanSource } from "./scan";

// Every component's source (tests and generated code aside), keyed "pages/InvoicesPage.tsx".
const SOURCES: Record<string, string> = Object.fromEntries(
  Object.entries(
    import.meta.glob<string>(["../**/*.tsx", "!../**/*.test.tsx", "!../gql/**"], {
      query: "?raw",
      import: "default",
      eager: true,
    }),
  ).map(([path, source]) => [path.replace(/^\.\.\//, ""), source]),
);

// Components not translated yet: each still has English in its JSX. The scanner skips them, and fails when
// one becomes clean, so this list only ever shrinks. New components are scanned from the start.
const PENDING = new Set<string>([]);

describe("catalogs", () => {
  const english = CATALOGS.en;
  const keys = Object.keys(english) as MessageKey[];

  it.each(LOCALES.filter((l) => l !== "en"))("%s has every English key, none empty, the same placeholders", (locale) => {
    const catalog = CATALOGS[locale];
    const placeholders = (value: unknown) =>
      [...JSON.stringify(value).matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort().filter((v, i, a) => a.indexOf(v) === i);
    for (const key of keys) {
      const value = catalog[key];
      expect(value, `${locale}: ${key} is missing`).toBeDefined();
      const texts: string[] = typeof value === "string" ? [value] : Object.values(value as Record<string, string>);
      for (const text of texts) expect(text.trim(), `${locale}: ${key} is empty`).not.toBe("");
      expect(typeof value, `${locale}: ${key} must be ${typeof english[key]}`).toBe(typeof english[key]);
      expect(placeholders(value), `${locale}: ${key} placeholders`).toEqual(placeholders(english[key]));
    }
    expect(Object.keys(catalog).filter((k) => !(k in english)), `${locale}: keys English does not have`).toEqual([]);
  });

  it("no English key is empty", () => {
    for (const key of keys) expect(JSON.stringify(english[key]).replace(/"/g, "").trim(), key).not.toBe("");
  });
});

describe("translate", () => {
  it("fills placeholders and formats numbers for the language", () => {
    expect(translate("en", "app.loading")).toBe("Loading your portal…");
    expect(translate("es", "app.loading")).toBe("Cargando tu portal…");
  });

  it("chooses plural forms by the language's rules and formats the count for it", () => {
    expect(translate("en", "count.invoices", { count: 1 })).toBe("1 invoice");
    expect(translate("en", "count.invoices", { count: 0 })).toBe("0 invoices");
    expect(translate("es", "count.invoices", { count: 1200 })).toBe("1200 facturas");
    expect(translate("pt", "count.invoices", { count: 0 })).toBe("0 fatura"); // CLDR pt: 0 and 1 are "one"
    expect(translate("pt", "count.invoices", { count: 2 })).toBe("2 faturas");
  });

  it("formats money and dates in the language on screen, and words refusals in it", () => {
    try {
      setCurrentLocale("es");
      expect(formatMoney({ amount: "1234.50", currency: "EUR" })).toBe("1234,50\u00a0€");
      expect(formatDate("2026-12-02")).toBe("2 dic 2026");
      // The BFF's English message is replaced by the code's own sentence outside English.
      expect(userErrorText([{ code: "REFUSED", message: "Billing says no." }], SET_AUTOPAY)).toBe(
        "Tu proveedor rechazó la solicitud. Inténtalo más tarde o contacta a soporte.",
      );
      setCurrentLocale("pt");
      expect(formatMoney({ amount: "1234.50", currency: "BRL" })).toBe("R$\u00a01.234,50");
      expect(userErrorText([{ code: "AUTOPAY_REQUIRES_CARD", message: "x" }], SET_AUTOPAY)).toContain("débito automático");
    } finally {
      setCurrentLocale("en");
    }
    expect(userErrorText([{ code: "REFUSED", message: "Billing says no." }], SET_AUTOPAY)).toBe("Billing says no.");
  });

  it("picks the browser's first language we have", () => {
    expect(detectLocale(["fr-CA", "es-MX", "en"])).toBe("es");
    expect(detectLocale(["pt-PT"])).toBe("pt");
    expect(detectLocale(["de"])).toBe("en");
    expect(detectLocale([])).toBe("en");
  });
});

describe("no hard-coded user-visible strings in components", () => {
  const files = Object.keys(SOURCES).sort();

  it("the scanner sees text, rendered literals and visible props, and lets the allowlist through", () => {
    const found = scanSource(
      `const a = (<div title="Close" data-x="y">Hello {n} <b>{busy ? "Saving…" : t("x")}</b> WISPGate · {"—"}<i aria-label={\`Go \${x}\`} /></div>);`,
    ).map((f) => f.text);
    expect(found.sort()).toEqual(["Close", "Go", "Hello", "Saving…"]);
  });

  it.each(files.filter((f) => !PENDING.has(f)))("%s", (file) => {
    const findings = scanSource(SOURCES[file] ?? "", file);
    expect(findings.map((f) => `${file}:${f.line}: ${f.text}`)).toEqual([]);
  });

  it("scans every component", () => {
    expect(files).toContain("pages/InvoicesPage.tsx");
    expect(files.every((f) => !f.endsWith(".test.tsx"))).toBe(true);
  });

  it("the pending list names only files that still need it", () => {
    const clean = [...PENDING].filter((f) => scanSource(SOURCES[f] ?? "", f).length === 0);
    expect(clean, "translated: remove from PENDING").toEqual([]);
  });
});
