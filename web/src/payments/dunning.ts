import { formatDate, formatMoney, type MoneyValue } from "../format";
import { t, type MessageKey } from "../i18n";

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

const REASONS: Record<string, MessageKey> = {
  GENERIC: "decline.GENERIC",
  INSUFFICIENT_FUNDS: "decline.INSUFFICIENT_FUNDS",
  EXPIRED_CARD: "decline.EXPIRED_CARD",
  INCORRECT_CVC: "decline.INCORRECT_CVC",
  LOST_OR_STOLEN: "decline.LOST_OR_STOLEN",
  AUTHENTICATION_REQUIRED: "decline.AUTHENTICATION_REQUIRED",
  CARD_NOT_FOUND: "decline.CARD_NOT_FOUND",
  PROCESSING_ERROR: "decline.PROCESSING_ERROR",
  OTHER: "decline.OTHER",
};

/** Why the bank declined, in the language on screen ("insufficient funds"); plainly "declined" for a reason we
 * do not know (the gateway may add some). */
export function declineReasonText(reason: string | null | undefined): string {
  return t((reason ? REASONS[reason] : undefined) ?? "decline.OTHER");
}

/** The day part of a DateTime as the server sent it (UTC): the day the billing run declined the card. */
function dayOf(at: string | null | undefined): string | null {
  return at ? at.slice(0, 10) : null;
}

/**
 * The notice's words for one declined invoice, in the language on screen: "Your card was declined on Nov 25, 2026
 * for invoice …; we'll retry on Nov 26, 2026." or, after the last retry, when the service is suspended unless it is
 * paid. Null when nothing is to be said (no dunning, or it recovered). `locale`: the Intl tag dates are written
 * with (the language on screen's by default).
 */
export function dunningNotice(invoice: DeclinedInvoice, locale?: string): { headline: string; detail: string } | null {
  const d = invoice.dunning;
  if (!d || d.state === "RECOVERED") return null;
  const last = [...d.attempts].reverse().find((a) => a.outcome !== "SUCCEEDED");
  const headline = t("dunning.declined", {
    date: formatDate(dayOf(d.lastDeclinedAt), locale),
    number: invoice.number,
    amount: formatMoney(invoice.balance, locale ? { locale } : {}),
    reason: declineReasonText(last?.declineReason),
  });
  const sentences =
    d.state === "RETRYING" && d.nextRetryOn
      ? [
          t("dunning.retryOn", { date: formatDate(d.nextRetryOn, locale) }),
          d.suspendsOn ? t("dunning.connectedUntil", { date: formatDate(d.suspendsOn, locale) }) : null,
          t("dunning.orPayNow"),
        ]
      : [
          t("dunning.lastAttempt"),
          d.suspendsOn ? t("dunning.suspendedFrom", { date: formatDate(d.suspendsOn, locale) }) : null,
          t("dunning.payToStay"),
        ];
  return { headline, detail: sentences.filter((x) => x !== null).join(" ") };
}
