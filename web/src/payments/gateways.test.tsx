import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { translate } from "../i18n";
import { GATEWAY_LABELS, GatewaySelect } from "./gateways";

// The choice of gateway is shown only when the portal offers more than one (`paymentGateways`).

const noop = () => undefined;

describe("GatewaySelect", () => {
  it("shows nothing for one gateway or while the list is unknown", () => {
    expect(renderToStaticMarkup(<GatewaySelect gateways={["STRIPE"]} value={null} onChange={noop} testId="g" />)).toBe("");
    expect(renderToStaticMarkup(<GatewaySelect gateways={[]} value={null} onChange={noop} testId="g" />)).toBe("");
  });

  it("offers every gateway, the default first and selected", () => {
    const out = renderToStaticMarkup(
      <GatewaySelect gateways={["STRIPE", "PAYPAL"]} value={null} onChange={noop} testId="pay-gateway" />,
    );
    expect(out).toContain('data-testid="pay-gateway"');
    expect(out).toContain("Pay with");
    expect(out.indexOf(">Card<")).toBeLessThan(out.indexOf(">PayPal<"));
    expect(out).toMatch(/<option value="STRIPE" selected="">Card<\/option>/);
  });

  it("keeps the subscriber's choice", () => {
    const out = renderToStaticMarkup(
      <GatewaySelect gateways={["STRIPE", "PAYPAL"]} value="PAYPAL" onChange={noop} testId="g" />,
    );
    expect(out).toMatch(/<option value="PAYPAL" selected="">PayPal<\/option>/);
  });

  it("names every gateway in words, in each language", () => {
    const named = (locale: "en" | "es" | "pt") => ({
      STRIPE: translate(locale, GATEWAY_LABELS.STRIPE),
      PAYPAL: translate(locale, GATEWAY_LABELS.PAYPAL),
    });
    expect(named("en")).toEqual({ STRIPE: "Card", PAYPAL: "PayPal" });
    expect(named("es")).toEqual({ STRIPE: "Tarjeta", PAYPAL: "PayPal" });
    expect(named("pt")).toEqual({ STRIPE: "Cartão", PAYPAL: "PayPal" });
  });
});
