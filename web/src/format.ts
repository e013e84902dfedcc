import { intlLocale, t } from "./i18n";

// Display formatting. Money arrives as exact decimal strings and dates as YYYY-MM-DD strings: both are formatted
// for display only — amounts are never turned into floats for arithmetic, and calendar dates are never shifted by
// the browser's timezone. Without an explicit `locale`, everything formats in the language on screen (i18n).

export interface MoneyValue {
  amount: string;
  currency: string;
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DECIMAL_RE = /^([+-]?)(\d*)(?:\.(\d*))?$/;

const numberFormats = new Map<string, Intl.NumberFormat>();

function numberFormat(locale: string | undefined, currency: string, signed: boolean): Intl.NumberFormat {
  locale ??= intlLocale();
  const key = `${locale}|${currency}|${signed ? 1 : 0}`;
  let fmt = numberFormats.get(key);
  if (!fmt) {
    try {
      fmt = new Intl.NumberFormat(locale, {
        style: "currency",
        currency,
        signDisplay: signed ? "exceptZero" : "auto",
      });
    } catch {
      // An unknown currency code must not break the page: show the plain number with the code.
      fmt = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, signDisplay: signed ? "exceptZero" : "auto" });
    }
    numberFormats.set(key, fmt);
  }
  return fmt;
}

export interface MoneyOptions {
  /** Show "+" on credits (wallet transactions); debits always show "−". */
  signed?: boolean;
  locale?: string;
}

/**
 * "49.99" USD → "$49.99". Intl.NumberFormat formats the decimal *string* exactly (no float rounding of large or
 * long amounts in current engines).
 */
export function formatMoney(money: MoneyValue | null | undefined, options: MoneyOptions = {}): string {
  if (!money) return "—";
  const amount = money.amount.trim();
  if (!DECIMAL_RE.test(amount) || amount === "" || amount === "-" || amount === "+") {
    return `${money.amount} ${money.currency}`;
  }
  const fmt = numberFormat(options.locale, money.currency, options.signed ?? false);
  const text = fmt.format(amount as `${number}`);
  const knownCurrency = fmt.resolvedOptions().style === "currency";
  return knownCurrency ? text : `${text} ${money.currency}`;
}

interface DecimalParts {
  negative: boolean;
  int: string;
  frac: string;
}

function decimalParts(value: string): DecimalParts | null {
  const m = DECIMAL_RE.exec(value.trim());
  if (!m) return null;
  const int = (m[2] ?? "").replace(/^0+/, "");
  const frac = (m[3] ?? "").replace(/0+$/, "");
  const zero = int === "" && frac === "";
  return { negative: m[1] === "-" && !zero, int, frac };
}

function compareAbs(a: DecimalParts, b: DecimalParts): number {
  if (a.int.length !== b.int.length) return a.int.length < b.int.length ? -1 : 1;
  if (a.int !== b.int) return a.int < b.int ? -1 : 1;
  const width = Math.max(a.frac.length, b.frac.length);
  const fa = a.frac.padEnd(width, "0");
  const fb = b.frac.padEnd(width, "0");
  if (fa === fb) return 0;
  return fa < fb ? -1 : 1;
}

/** Compare two decimal strings exactly (for sorting), without converting them to floats. */
export function compareDecimal(a: string, b: string): number {
  const pa = decimalParts(a);
  const pb = decimalParts(b);
  if (!pa || !pb) return pa ? 1 : pb ? -1 : 0;
  if (pa.negative !== pb.negative) return pa.negative ? -1 : 1;
  const abs = compareAbs(pa, pb);
  return pa.negative ? -abs : abs;
}

/** Sign of a decimal string: -1, 0 or 1. */
export function decimalSign(value: string): -1 | 0 | 1 {
  const p = decimalParts(value);
  if (!p || (p.int === "" && p.frac === "")) return 0;
  return p.negative ? -1 : 1;
}

export function isPositive(money: MoneyValue | null | undefined): boolean {
  return !!money && decimalSign(money.amount) > 0;
}

function dateParts(value: string): [number, number, number] | null {
  const m = DATE_RE.exec(value);
  if (!m) return null;
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

/** A calendar date as a UTC instant so that formatting in UTC shows exactly that date. */
function utcDate(value: string): Date | null {
  const p = dateParts(value);
  return p ? new Date(Date.UTC(p[0], p[1] - 1, p[2])) : null;
}

/** "2026-11-30" → "Nov 30, 2026", identical in every timezone. */
export function formatDate(value: string | null | undefined, locale?: string): string {
  if (!value) return "—";
  const d = utcDate(value);
  if (!d) return value;
  return new Intl.DateTimeFormat(locale ?? intlLocale(), { dateStyle: "medium", timeZone: "UTC" }).format(d);
}

/** "Nov 1 – 30, 2026" for a billing period. */
export function formatPeriod(start: string, end: string, locale?: string): string {
  const a = utcDate(start);
  const b = utcDate(end);
  if (!a || !b) return `${start} – ${end}`;
  const fmt = new Intl.DateTimeFormat(locale ?? intlLocale(), { dateStyle: "medium", timeZone: "UTC" });
  return b < a ? `${fmt.format(a)} – ${fmt.format(b)}` : fmt.formatRange(a, b);
}

/** A DateTime (instant) in the viewer's own timezone: "Nov 25, 2026, 10:00 AM". */
export function formatDateTime(value: string | null | undefined, locale?: string): string {
  if (!value) return "—";
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return value;
  return new Intl.DateTimeFormat(locale ?? intlLocale(), { dateStyle: "medium", timeStyle: "short" }).format(d);
}

/** "5 minutes ago", "in 3 days" — relative to `now`. */
export function formatRelative(value: string | null | undefined, now: Date = new Date(), locale?: string): string {
  if (!value) return "—";
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return value;
  const seconds = Math.round((d.getTime() - now.getTime()) / 1000);
  const rtf = new Intl.RelativeTimeFormat(locale ?? intlLocale(), { numeric: "auto" });
  const abs = Math.abs(seconds);
  if (abs < 60) return rtf.format(seconds, "second");
  if (abs < 3600) return rtf.format(Math.round(seconds / 60), "minute");
  if (abs < 86400) return rtf.format(Math.round(seconds / 3600), "hour");
  return rtf.format(Math.round(seconds / 86400), "day");
}

/** Today's calendar date in the viewer's timezone, as YYYY-MM-DD. */
export function todayIso(now: Date = new Date()): string {
  const y = now.getFullYear();
  const m = String(now.getMonth() + 1).padStart(2, "0");
  const d = String(now.getDate()).padStart(2, "0");
  return `${y}-${m}-${d}`;
}

/** Today on the UTC calendar, the one usage days (like billing days) are counted on: in Honolulu at 3 PM on
 * Dec 1 it is already Dec 2 there, and the live session's bytes count for Dec 2. */
export function todayUtcIso(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}

/** Calendar arithmetic on YYYY-MM-DD strings (UTC based, so no DST surprises). */
export function addDays(value: string, days: number): string {
  const d = utcDate(value);
  if (!d) return value;
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (both YYYY-MM-DD); positive when `to` is later. */
export function daysBetween(from: string, to: string): number {
  const a = utcDate(from);
  const b = utcDate(to);
  if (!a || !b) return 0;
  return Math.round((b.getTime() - a.getTime()) / 86_400_000);
}

/** "in 5 days", "today", "3 days ago" for a due date. */
export function formatDueIn(dueOn: string, today: string = todayIso()): string {
  const days = daysBetween(today, dueOn);
  if (days === 0) return t("due.today");
  if (days === 1) return t("due.tomorrow");
  if (days > 1) return t("due.inDays", { count: days });
  return t("due.overdueDays", { count: -days });
}

/** Bytes → "12.3 GB" (decimal gigabytes, as ISPs bill). */
export function formatGB(bytes: number | null | undefined, locale?: string): string {
  if (bytes == null || !Number.isFinite(bytes)) return "—";
  const gb = bytes / 1e9;
  const digits = gb >= 100 ? 0 : gb >= 10 ? 1 : 2;
  const number = new Intl.NumberFormat(locale ?? intlLocale(), { maximumFractionDigits: digits, minimumFractionDigits: 0 });
  return `${number.format(gb)} GB`;
}

/** "300/50 Mbps", "300 Mbps down", or null when the plan has no bandwidth. */
export function formatSpeed(down: number | null | undefined, up: number | null | undefined): string | null {
  if (down != null && up != null) return `${down}/${up} Mbps`;
  if (down != null) return t("speed.down", { down: String(down) });
  if (up != null) return t("speed.up", { up: String(up) });
  return null;
}

export function formatPercent(fraction: number, locale?: string): string {
  const clamped = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  return new Intl.NumberFormat(locale ?? intlLocale(), { style: "percent", maximumFractionDigits: 0 }).format(clamped);
}

/** The billing day as the language says it: "on the 1st", "el día 1", "no dia 1". */
export function billingDay(day: number): string {
  return t("billingDay", { day: ordinal(day) });
}

/** 1 → "1st", 22 → "22nd" (English); other languages write the plain number. */
export function ordinal(day: number): string {
  if (!intlLocale().startsWith("en")) return String(day);
  const rem100 = day % 100;
  if (rem100 >= 11 && rem100 <= 13) return `${day}th`;
  const suffix: Record<number, string> = { 1: "st", 2: "nd", 3: "rd" };
  return `${day}${suffix[day % 10] ?? "th"}`;
}

/** A count with its noun in the right number: "1 invoice", "0 invoices", "3 invoices". */
export function countOf(n: number, singular: string, plural = `${singular}s`): string {
  return `${n.toLocaleString("en-US")} ${new Intl.PluralRules("en-US").select(n) === "one" ? singular : plural}`;
}

/**
 * The last day a prepaid period covers, as a date ("YYYY-MM-DD"): the period ends at an instant (the start of
 * the day after, e.g. 2026-12-12T00:00:00Z), and the day before that instant is the last one paid. Billing's
 * days are calendar days on UTC, like invoice periods (`formatDate`), so the answer is the same in every
 * timezone and reads consistently beside "current period Dec 1 – 31".
 */
export function lastDayCovered(endsAt: string | null | undefined): string | null {
  if (!endsAt) return null;
  const end = Date.parse(endsAt);
  if (Number.isNaN(end)) return null;
  return new Date(end - 1).toISOString().slice(0, 10);
}
