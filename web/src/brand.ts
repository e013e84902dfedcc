/**
 * The operator's brand, as the BFF put it into index.html (bff/server/web.py `branded`): a JSON data block
 * `#wg-brand` with the name, colour, support contacts and logo. The colours themselves arrive as CSS variables
 * in the same page. Without the block (the Vite dev server, unit tests) the defaults below apply.
 */
export interface Brand {
  name: string;
  primaryColor: string;
  supportEmail: string | null;
  supportPhone: string | null;
  /** The configured logo's address; null: the built-in mark (drawn in the brand's colour). */
  logoUrl: string | null;
}

export const DEFAULT_BRAND: Brand = {
  name: "WISPGate Networks",
  primaryColor: "#0f4c81",
  supportEmail: null,
  supportPhone: null,
  logoUrl: null,
};

function text(value: unknown): string | null {
  return typeof value === "string" && value.trim() !== "" ? value.trim() : null;
}

/** What `readBrand` needs of a document. */
export interface BrandSource {
  getElementById(id: string): { textContent: string | null } | null;
}

/** The brand in `doc` (a malformed or missing block gives the defaults, field by field). */
export function readBrand(doc: BrandSource | undefined = typeof document === "undefined" ? undefined : document): Brand {
  const raw = doc?.getElementById("wg-brand")?.textContent;
  if (!raw) return DEFAULT_BRAND;
  let data: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed !== "object" || parsed === null) return DEFAULT_BRAND;
    data = parsed as Record<string, unknown>;
  } catch {
    return DEFAULT_BRAND;
  }
  const logoUrl = text(data.logoUrl);
  return {
    name: text(data.name) ?? DEFAULT_BRAND.name,
    primaryColor: text(data.primaryColor) ?? DEFAULT_BRAND.primaryColor,
    supportEmail: text(data.supportEmail),
    supportPhone: text(data.supportPhone),
    // Only a path of this site: the page's CSP allows no other images anyway.
    logoUrl: logoUrl && logoUrl.startsWith("/") && !logoUrl.startsWith("//") ? logoUrl : null,
  };
}

export const brand: Brand = readBrand();

/** The browser tab's title: "Invoices · Acme Fiber". */
export function pageTitle(title: string, of: Brand = brand): string {
  return `${title} · ${of.name}`;
}

/** "tel:" link target for a phone number as written ("+1 555 0100" → "tel:+15550100"). */
export function telHref(phone: string): string {
  return `tel:${phone.replace(/[^0-9+]/g, "")}`;
}
