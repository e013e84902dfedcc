import { formatDate, formatMoney, type MoneyValue } from "../format";

/** What the notice needs of an invoice in dunning (`Subscriber.declinedInvoices`). */
export interface DeclinedInvoice {
  number: string;
  balance: MoneyValue;
  dunning: {
    state: "RETRYING" | "EXHAUSTED" | "RECOVERED";
    nextRetryOn?: string | null;
    suspendsOn?: string | null;
    lastDeclinedAt?: string | null;
    attempts: { at: string; outcome: "SUCCEEDED" | "DECLINED" | "REFUSED"; declineReason?: string | null }[];
  } | null;
}

const REASONS: Record<string, string> = {
  GENERIC: "declined by the bank",
  INSUFFICIENT_FUNDS: "insufficient funds",
  EXPIRED_CARD: "the card has expired",
  INCORRECT_CVC: "wrong security code",
  LOST_OR_STOLEN: "the card was reported lost or stolen",
  AUTHENTICATION_REQUIRED: "the bank asks you to confirm the payment",
  CARD_NOT_FOUND: "the saved card is no longer available",
  PROCESSING_ERROR: "a processing error at the bank",
  OTHER: "declined",
};

export function declineReasonText(reason: string | null | undefined): string {
  return reason ? (REASONS[reason] ?? REASONS.OTHER ?? "declined") : "declined";
}

/** The day part of a DateTime as the server sent it (UTC): the day the billing run declined the card. */
function dayOf(at: string | null | undefined): string | null {
  return at ? at.slice(0, 10) : null;
}

/**
 * The notice's words for one declined invoice: "Your card was declined on Nov 25, 2026 for invoice …; we'll retry on
 * Nov 26, 2026." or, after the last retry, when the service is suspended unless it is paid. Null when nothing is to be
 * said (no dunning, or it recovered).
 */
export function dunningNotice(invoice: DeclinedInvoice, locale?: string): { headline: string; detail: string } | null {
  const d = invoice.dunning;
  if (!d || d.state === "RECOVERED") return null;
  const declinedOn = formatDate(dayOf(d.lastDeclinedAt), locale);
  const last = [...d.attempts].reverse().find((a) => a.outcome !== "SUCCEEDED");
  const headline = `Your card was declined on ${declinedOn} for invoice ${invoice.number} (${formatMoney(invoice.balance)}): ${declineReasonText(last?.declineReason)}.`;
  if (d.state === "RETRYING" && d.nextRetryOn) {
    const keep = d.suspendsOn ? ` Your service stays connected until at least ${formatDate(d.suspendsOn, locale)}.` : "";
    return { headline, detail: `We'll retry on ${formatDate(d.nextRetryOn, locale)}.${keep} Or update your card and pay now.` };
  }
  const stop = d.suspendsOn ? ` Unpaid, your service is suspended from ${formatDate(d.suspendsOn, locale)}.` : "";
  return { headline, detail: `That was the last automatic attempt.${stop} Update your card and pay to stay connected.` };
}
