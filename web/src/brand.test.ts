import { describe, expect, it } from "vitest";
import { DEFAULT_BRAND, pageTitle, readBrand, telHref, type BrandSource } from "./brand";

/** A page with (or without) the BFF's `#wg-brand` block. */
function page(block: string | null): BrandSource {
  return { getElementById: (id) => (id === "wg-brand" && block !== null ? { textContent: block } : null) };
}

describe("brand", () => {
  it("reads the operator's brand from the page the BFF served", () => {
    const brand = readBrand(
      page(
        JSON.stringify({
          name: "Acme Fiber",
          primaryColor: "#7a1f5c",
          supportEmail: "help@acme.example",
          supportPhone: "+1 555 0199",
          logoUrl: "/brand/logo",
        }),
      ),
    );
    expect(brand).toEqual({
      name: "Acme Fiber",
      primaryColor: "#7a1f5c",
      supportEmail: "help@acme.example",
      supportPhone: "+1 555 0199",
      logoUrl: "/brand/logo",
    });
    expect(pageTitle("Invoices", brand)).toBe("Invoices · Acme Fiber");
  });

  it("falls back to the defaults without a block, with a broken one, and for a logo from elsewhere", () => {
    expect(readBrand(page(null))).toEqual(DEFAULT_BRAND);
    expect(readBrand(page("{not json"))).toEqual(DEFAULT_BRAND);
    expect(readBrand(page('{"name": "  ", "logoUrl": "//evil.example/x.png"}'))).toEqual(DEFAULT_BRAND);
  });

  it("dials the digits of a phone number", () => {
    expect(telHref("+1 (555) 010-0")).toBe("tel:+15550100");
  });
});
