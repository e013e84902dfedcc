import { useRef, useState } from "react";
import { useMutation } from "urql";
import { describeError } from "../api/errors";
import { formatMoney, type MoneyValue } from "../format";
import { graphql } from "../gql";
import { t } from "../i18n";
import { rich } from "../i18n/rich";
import { newIdempotencyKey, sumDecimals } from "../money";
import { savePending } from "../payments/pending";
import { PAY_INVOICES, userErrorText } from "../userErrors";
import { redirectTo, type PayableInvoice } from "./InvoicePayActions";

/** The server's bound on one checkout (`payInvoices`); the bar says so before asking. */
export const MAX_INVOICES_PER_CHECKOUT = 50;

const PayInvoicesMutation = graphql(`
  mutation PayInvoices($input: PayInvoicesInput!) {
    payInvoices(input: $input) {
      checkoutUrl
      invoices {
        id
        number
        balance {
          amount
          currency
        }
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`);

/** The total of the chosen invoices, or null when they are in more than one currency (one checkout, one currency). */
export function selectionTotal(invoices: readonly PayableInvoice[]): MoneyValue | null {
  const currencies = new Set(invoices.map((i) => i.balance.currency));
  const [currency] = currencies;
  if (currencies.size !== 1 || currency === undefined) return null;
  return { amount: sumDecimals(invoices.map((i) => i.balance.amount)), currency };
}

/**
 * The sticky summary of the invoices ticked on the invoices page: how many, their total, and "Pay N invoices",
 * which opens one hosted checkout for all of them (the return page confirms each one). The idempotency key is
 * kept while an attempt's outcome is unknown (a retry replays the same checkout) and dropped on a refusal or
 * when the selection changes.
 */
export function MultiPayBar({ invoices, onClear }: { invoices: PayableInvoice[]; onClear: () => void }) {
  const [, payInvoices] = useMutation(PayInvoicesMutation);
  const key = useRef<{ ids: string; key: string } | null>(null);
  const [paying, setPaying] = useState(false);
  const [redirecting, setRedirecting] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const total = selectionTotal(invoices);
  const tooMany = invoices.length > MAX_INVOICES_PER_CHECKOUT;
  const problem = tooMany
    ? t("multipay.tooMany", { max: MAX_INVOICES_PER_CHECKOUT, count: invoices.length - MAX_INVOICES_PER_CHECKOUT })
    : total === null
      ? t("userError.mixedCurrencies")
      : null;
  const label = t("multipay.pay", { count: invoices.length });

  async function pay() {
    if (paying || problem || !total) return;
    setPaying(true);
    setError(null);
    const ids = invoices.map((i) => i.id);
    if (key.current?.ids !== ids.join(",")) key.current = { ids: ids.join(","), key: newIdempotencyKey() };
    const result = await payInvoices({ input: { invoiceIds: ids, idempotencyKey: key.current.key } });
    const payload = result.data?.payInvoices;
    if (payload && payload.userErrors.length > 0) {
      key.current = null; // refused: the next click is a new attempt
      setError(userErrorText(payload.userErrors, PAY_INVOICES));
      setPaying(false);
      return;
    }
    if (!payload?.checkoutUrl) {
      setError(result.error ? t("pay.failedNothingCharged", { reason: describeError(result.error).title }) : t("pay.notStarted"));
      setPaying(false);
      return;
    }
    const paid = payload.invoices.length > 0 ? payload.invoices : invoices;
    savePending({
      kind: "invoices",
      startedAt: Date.now(),
      invoiceIds: paid.map((i) => i.id),
      invoiceNumbers: paid.map((i) => i.number),
      amount: total.amount,
      currency: total.currency,
    });
    setRedirecting(true);
    redirectTo(payload.checkoutUrl);
  }

  return (
    <section className="multipay" aria-label={t("multipay.region")} data-testid="multipay-bar">
      <p className="multipay__summary" aria-live="polite">
        <span data-testid="multipay-count">{t("multipay.selected", { count: invoices.length })}</span>
        {total ? (
          <>
            {" · "}
            {rich("multipay.total", { amount: <strong data-testid="multipay-total">{formatMoney(total)}</strong> })}
          </>
        ) : null}
      </p>
      <div className="multipay__actions">
        <button type="button" className="btn btn--secondary btn--small" onClick={onClear} disabled={paying || redirecting}>
          {t("multipay.clear")}
        </button>
        <button
          type="button"
          className="btn btn--primary"
          data-testid="pay-selected"
          disabled={paying || redirecting || problem !== null}
          aria-describedby={problem ? "multipay-problem" : undefined}
          onClick={() => void pay()}
        >
          {redirecting ? t("pay.redirecting") : paying ? t("pay.starting") : label}
        </button>
      </div>
      {problem ? (
        <p id="multipay-problem" className="multipay__note" data-testid="multipay-problem">
          {problem}
        </p>
      ) : null}
      <p className="form-error multipay__note" role="alert" data-testid="multipay-error">
        {error ?? ""}
      </p>
    </section>
  );
}
