import { describe, expect, it } from "vitest";
import { lastYear, paidWith, statementPeriod } from "./Receipts";

describe("receipts", () => {
  it("names a card by brand and last four digits only, other methods by name", () => {
    expect(paidWith({ method: "CARD", cardBrand: "visa", cardLast4: "4242" })).toBe("VISA •••• 4242");
    expect(paidWith({ method: "CARD", cardBrand: null, cardLast4: null })).toBe("Card");
    expect(paidWith({ method: "WALLET" })).toBe("Wallet");
    expect(paidWith({ method: "BANK_TRANSFER" })).toBe("Bank transfer");
  });

  it("exports the last 366 days at most, ending today", () => {
    expect(lastYear("2026-12-02")).toEqual({ from: "2025-12-02", to: "2026-12-02" });
    // A leap year: still 366 days counted inclusively.
    expect(lastYear("2028-03-01")).toEqual({ from: "2027-03-02", to: "2028-03-01" });
  });

  it("sends a statement period only for complete dates, leaving the rest to the server's default", () => {
    expect(statementPeriod("", "")).toEqual({ from: null, to: null });
    expect(statementPeriod("2026-01-01", "")).toEqual({ from: "2026-01-01", to: null });
    expect(statementPeriod("2026-01", "2026-11-25")).toEqual({ from: null, to: "2026-11-25" });
  });
});
