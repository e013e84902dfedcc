import { describe, expect, it } from "vitest";
import {
  addDays,
  compareDecimal,
  countOf,
  daysBetween,
  formatDate,
  formatGB,
  formatMoney,
  formatPeriod,
  formatSpeed,
  lastDayCovered,
  todayIso,
  todayUtcIso,
} from "./format";

// `npm test` runs with TZ=Pacific/Honolulu (UTC-10): a naive `new Date("2026-11-30")` would show Nov 29 there.

describe("formatMoney", () => {
  it("formats the decimal string with the currency", () => {
    expect(formatMoney({ amount: "49.99", currency: "USD" }, { locale: "en-US" })).toBe("$49.99");
    expect(formatMoney({ amount: "1234.5", currency: "EUR" }, { locale: "de-DE" })).toBe("1.234,50\u00a0€");
  });

  it("keeps amounts beyond float precision exact", () => {
    expect(formatMoney({ amount: "90071992547409.93", currency: "USD" }, { locale: "en-US" })).toBe(
      "$90,071,992,547,409.93",
    );
  });

  it("signs credits and debits when asked", () => {
    expect(formatMoney({ amount: "25.00", currency: "USD" }, { locale: "en-US", signed: true })).toBe("+$25.00");
    expect(formatMoney({ amount: "-25.00", currency: "USD" }, { locale: "en-US", signed: true })).toBe("-$25.00");
    expect(formatMoney({ amount: "0.00", currency: "USD" }, { locale: "en-US", signed: true })).toBe("$0.00");
  });

  it("never throws on odd input", () => {
    expect(formatMoney(null)).toBe("—");
    expect(formatMoney({ amount: "abc", currency: "USD" })).toBe("abc USD");
  });
});

describe("compareDecimal", () => {
  it("orders decimal strings exactly", () => {
    const sorted = ["10.5", "-3", "9.99", "0", "100", "10.50001", "-3.5"].sort(compareDecimal);
    expect(sorted).toEqual(["-3.5", "-3", "0", "9.99", "10.5", "10.50001", "100"]);
    expect(compareDecimal("0.10", "0.1")).toBe(0);
    expect(compareDecimal("-0.00", "0")).toBe(0);
  });
});

describe("dates", () => {
  it("formats calendar dates without timezone shifts", () => {
    expect(formatDate("2026-11-30", "en-US")).toBe("Nov 30, 2026");
    expect(formatDate("2026-01-01", "en-US")).toBe("Jan 1, 2026");
    expect(formatDate(null)).toBe("—");
  });

  it("does calendar arithmetic on strings", () => {
    expect(addDays("2026-11-25", -29)).toBe("2026-10-27");
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
    expect(daysBetween("2026-11-25", "2026-12-05")).toBe(10);
    expect(formatPeriod("2026-11-01", "2026-11-30", "en-US").replace(/\s/g, " ")).toBe("Nov 1 – 30, 2026");
  });
});

describe("units", () => {
  it("formats speeds and volumes", () => {
    expect(formatSpeed(300, 50)).toBe("300/50 Mbps");
    expect(formatSpeed(null, null)).toBeNull();
    expect(formatGB(12_345_678_901, "en-US")).toBe("12.3 GB");
  });
});

describe("countOf", () => {
  it("puts the noun in the number the count needs", () => {
    expect(countOf(1, "invoice")).toBe("1 invoice");
    expect(countOf(0, "invoice")).toBe("0 invoices");
    expect(countOf(3, "invoice")).toBe("3 invoices");
    expect(countOf(1200, "entry", "entries")).toBe("1,200 entries");
  });
});

describe("lastDayCovered", () => {
  it("shows a period ending at midnight UTC as the day before, in every timezone (tests run in Honolulu)", () => {
    // Prepaid until the start of Dec 12 (UTC): Dec 11 is the last day paid, not "Dec 11, 2:00 PM" or "Dec 12".
    expect(lastDayCovered("2026-12-12T00:00:00+00:00")).toBe("2026-12-11");
    expect(formatDate(lastDayCovered("2026-12-12T00:00:00Z"), "en-US")).toBe("Dec 11, 2026");
    expect(lastDayCovered("2026-12-12T09:30:00Z")).toBe("2026-12-12");
    expect(lastDayCovered(null)).toBeNull();
    expect(lastDayCovered("soon")).toBeNull();
  });
});

describe("todayUtcIso", () => {
  it("is the UTC calendar day, which usage is counted on, not the local one (tests run in Honolulu)", () => {
    const afternoon = new Date("2026-12-02T01:30:00Z"); // Dec 1, 3:30 PM in Honolulu
    expect(todayIso(afternoon)).toBe("2026-12-01");
    expect(todayUtcIso(afternoon)).toBe("2026-12-02");
  });
});
