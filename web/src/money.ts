import { compareDecimal, formatMoney } from "./format";
import { t } from "./i18n";

// Client-side rules for the money forms. The server checks the same rules again (and answers with userErrors);
// these only give the subscriber an immediate, precise message. Amounts stay decimal strings throughout.

export const TOPUP_MIN = "5.00";
export const TOPUP_MAX = "1000.00";

export type AmountCheck = { ok: true; amount: string } | { ok: false; message: string };

/**
 * Validate a top-up amount typed by the subscriber: 5.00–1000.00 with at most two decimals. A leading currency
 * symbol, surrounding spaces and thousands separators ("1,000") are tolerated; the result is normalized to two
 * decimals ("25" → "25.00") for the `Decimal` input.
 */
export function validateTopUpAmount(raw: string, currency = "USD"): AmountCheck {
  const text = raw.trim().replace(/^[$€£]\s*/, "");
  if (text === "") return { ok: false, message: t("wallet.enterAmount") };
  const plain = /^\d{1,3}(,\d{3})+(\.\d*)?$/.test(text) ? text.replace(/,/g, "") : text;
  const m = /^(\d+)(?:\.(\d*))?$/.exec(plain);
  if (!m) return { ok: false, message: t("wallet.amountNumbers") };
  const frac = m[2] ?? "";
  if (frac.length > 2) return { ok: false, message: t("wallet.twoDecimals") };
  const int = (m[1] ?? "0").replace(/^0+(?=\d)/, "");
  const amount = `${int}.${frac.padEnd(2, "0")}`;
  if (compareDecimal(amount, TOPUP_MIN) < 0) {
    return { ok: false, message: t("wallet.smallest", { amount: formatMoney({ amount: TOPUP_MIN, currency }) }) };
  }
  if (compareDecimal(amount, TOPUP_MAX) > 0) {
    return { ok: false, message: t("wallet.largest", { amount: formatMoney({ amount: TOPUP_MAX, currency }) }) };
  }
  return { ok: true, amount };
}

/** The smaller of two decimal strings (exact). */
export function minDecimal(a: string, b: string): string {
  return compareDecimal(a, b) <= 0 ? a : b;
}

/**
 * A fresh idempotency key for one payment attempt. `crypto.randomUUID` needs a secure context (HTTPS or
 * localhost); elsewhere the same v4 layout is built from `getRandomValues`.
 */
export function newIdempotencyKey(): string {
  const c = globalThis.crypto;
  if (typeof c?.randomUUID === "function") {
    try {
      return c.randomUUID();
    } catch {
      // not a secure context: fall through
    }
  }
  const bytes = new Uint8Array(16);
  c.getRandomValues(bytes);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The exact sum of non-negative decimal strings ("29.99" + "0.5" → "30.49"), kept to the most decimals given:
 * the total of the invoices a "Pay N invoices" checkout charges, without binary floating point. */
export function sumDecimals(values: readonly string[]): string {
  const places = Math.max(0, ...values.map((v) => (v.split(".")[1] ?? "").length));
  let total = 0n;
  for (const v of values) {
    const [int = "0", frac = ""] = v.split(".");
    total += BigInt(int || "0") * 10n ** BigInt(places) + BigInt(frac.padEnd(places, "0") || "0");
  }
  if (places === 0) return total.toString();
  const digits = total.toString().padStart(places + 1, "0");
  return `${digits.slice(0, -places)}.${digits.slice(-places)}`;
}
