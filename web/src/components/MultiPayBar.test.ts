import { describe, expect, it } from "vitest";
import { selectionTotal } from "./MultiPayBar";

const invoice = (id: string, amount: string, currency = "USD") => ({ id, number: id, status: "OVERDUE", balance: { amount, currency } });

describe("selectionTotal", () => {
  it("adds the balances exactly in their one currency", () => {
    expect(selectionTotal([invoice("a", "29.99"), invoice("b", "29.99"), invoice("c", "0.01")])).toEqual({ amount: "59.99", currency: "USD" });
  });

  it("has no total for invoices in different currencies (one checkout charges one currency)", () => {
    expect(selectionTotal([invoice("a", "29.99"), invoice("b", "10.00", "EUR")])).toBeNull();
    expect(selectionTotal([])).toBeNull();
  });
});
