import { describe, expect, it } from "vitest";
import { minDecimal, newIdempotencyKey, sumDecimals, validateTopUpAmount } from "./money";

describe("validateTopUpAmount", () => {
  it("accepts 5.00–1000.00 and normalizes to two decimals", () => {
    expect(validateTopUpAmount("25")).toEqual({ ok: true, amount: "25.00" });
    expect(validateTopUpAmount(" 25.5 ")).toEqual({ ok: true, amount: "25.50" });
    expect(validateTopUpAmount("5")).toEqual({ ok: true, amount: "5.00" });
    expect(validateTopUpAmount("5.00")).toEqual({ ok: true, amount: "5.00" });
    expect(validateTopUpAmount("1000.00")).toEqual({ ok: true, amount: "1000.00" });
    expect(validateTopUpAmount("$1,000")).toEqual({ ok: true, amount: "1000.00" });
    expect(validateTopUpAmount("007.10")).toEqual({ ok: true, amount: "7.10" });
    expect(validateTopUpAmount("12.")).toEqual({ ok: true, amount: "12.00" });
  });

  it("rejects amounts outside the range, exactly at the edges", () => {
    expect(validateTopUpAmount("4.99")).toMatchObject({ ok: false, message: expect.stringContaining("$5.00") });
    expect(validateTopUpAmount("1000.01")).toMatchObject({ ok: false, message: expect.stringContaining("$1,000.00") });
    expect(validateTopUpAmount("0")).toMatchObject({ ok: false });
  });

  it("rejects more than two decimals and anything that is not a plain amount", () => {
    expect(validateTopUpAmount("1.234")).toMatchObject({ ok: false, message: expect.stringContaining("two decimal") });
    expect(validateTopUpAmount("10.001")).toMatchObject({ ok: false });
    for (const bad of ["-10", "abc", "1e3", "10,5", "1,00", ".", "10 20", "Infinity", "0x10"]) {
      expect(validateTopUpAmount(bad), bad).toMatchObject({ ok: false });
    }
    expect(validateTopUpAmount("   ")).toEqual({ ok: false, message: "Enter the amount to add." });
  });

  it("names limits in the wallet's currency", () => {
    expect(validateTopUpAmount("1", "EUR")).toMatchObject({ ok: false, message: expect.stringContaining("€") });
  });
});

describe("minDecimal", () => {
  it("compares exactly, not as floats", () => {
    expect(minDecimal("250.00", "49.99")).toBe("49.99");
    expect(minDecimal("10.5", "10.50001")).toBe("10.5");
    expect(minDecimal("90071992547409.93", "90071992547409.92")).toBe("90071992547409.92");
  });
});

describe("newIdempotencyKey", () => {
  it("makes distinct v4 UUIDs", () => {
    const a = newIdempotencyKey();
    const b = newIdempotencyKey();
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a).not.toBe(b);
  });
});

describe("sumDecimals", () => {
  it("adds exactly, where floating point would not", () => {
    expect(sumDecimals(["0.10", "0.20"])).toBe("0.30");
    expect(sumDecimals(["29.99", "29.99", "29.99"])).toBe("89.97");
    expect(sumDecimals(["1215.00", "0.5"])).toBe("1215.50");
    expect(sumDecimals(["100", "5"])).toBe("105");
    expect(sumDecimals([])).toBe("0");
  });
});
