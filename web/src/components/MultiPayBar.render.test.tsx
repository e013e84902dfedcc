import { renderToStaticMarkup } from "react-dom/server";
import { Client, Provider } from "urql";
import { describe, expect, it } from "vitest";
import { setCurrentLocale } from "../i18n";
import { MultiPayBar } from "./MultiPayBar";

const client = new Client({ url: "/graphql", exchanges: [] });
const invoice = (id: string, amount: string, currency = "USD") => ({ id, number: id, status: "OVERDUE", balance: { amount, currency } });

function html(invoices: ReturnType<typeof invoice>[]): string {
  return renderToStaticMarkup(
    <Provider value={client}>
      <MultiPayBar invoices={invoices} onClear={() => undefined} />
    </Provider>,
  );
}

describe("MultiPayBar", () => {
  it("counts, totals and names the button in the language on screen", () => {
    const two = [invoice("a", "29.99"), invoice("b", "1000.01")];
    expect(html(two)).toContain("2 invoices selected");
    expect(html(two)).toContain("Pay 2 invoices");
    try {
      setCurrentLocale("es");
      const out = html(two);
      expect(out).toContain("2 facturas seleccionadas");
      expect(out).toContain('Total <strong data-testid="multipay-total">1030,00\u00a0US$</strong>');
      expect(out).toContain("Pagar 2 facturas");
      setCurrentLocale("pt");
      expect(html([invoice("a", "1.00", "BRL")])).toContain("Pagar 1 fatura");
      expect(html([invoice("a", "1.00"), invoice("b", "1.00", "EUR")])).toContain("Estas faturas estão em moedas diferentes");
    } finally {
      setCurrentLocale("en");
    }
  });
});
