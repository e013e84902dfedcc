import { useRef, useState } from "react";
import { useMutation, useQuery } from "urql";
import { useViewer } from "../api/auth";
import { NotificationReceivedSubscription } from "../api/liveOperations";
import { useLiveSubscription, useResync } from "../api/useLive";
import { describeError } from "../api/errors";
import { formatDate } from "../format";
import { graphql } from "../gql";
import { t, type MessageKey } from "../i18n";
import type { DeclinedInvoiceFragment } from "../gql/graphql";
import { newIdempotencyKey } from "../money";
import { declineReasonText, dunningNotice } from "../payments/dunning";
import { savePending } from "../payments/pending";
import { PAY_INVOICE, userErrorText } from "../userErrors";
import { PayInvoiceMutation, redirectTo } from "./InvoicePayActions";

export const DeclinedInvoiceFields = graphql(`
  fragment DeclinedInvoice on Invoice {
    id
    number
    status
    balance {
      amount
      currency
    }
    dunning {
      state
      nextRetryOn
      suspendsOn
      lastDeclinedAt
      attempts {
        at
        retry
        outcome
        declineReason
      }
    }
  }
`);

const DeclinedInvoicesQuery = graphql(`
  query DeclinedInvoices {
    viewer {
      subscriber {
        id
        declinedInvoices {
          ...DeclinedInvoice
        }
      }
    }
  }
`);

/**
 * "Your card was declined on …; we'll retry on …; update card and pay": one notice per invoice whose automatic charge
 * was declined (Billing's dunning), on the dashboard and on the invoices page (`showAttempts` lists every charge).
 * The button is the one step: a checkout for the invoice whose card becomes the default autopay charges.
 *
 * `loaded`: what a page's own operation read (`...DeclinedInvoice` on `declinedInvoices`; the dashboard's one
 * operation carries it, bench/ratio.py), read again by `reload`; without it the notice reads for itself.
 */
export function DunningNotice({
  showAttempts = false,
  loaded,
  reload,
}: {
  showAttempts?: boolean;
  loaded?: readonly DeclinedInvoiceFragment[] | null;
  reload?: () => void;
}) {
  const { canManageBilling } = useViewer();
  const own = loaded === undefined;
  const [result, reexecute] = useQuery({ query: DeclinedInvoicesQuery, pause: !own });
  const readAgain = () => (own ? reexecute({ requestPolicy: "network-only" }) : reload?.());
  // Live: a new decline arrives as a PAYMENT_FAILED notification (read again then); a payment settles the invoice
  // in the normalized cache (LiveCacheFeed), which hides its notice below without a read.
  useLiveSubscription(NotificationReceivedSubscription, {}, (data) => {
    if (data.notificationReceived.kind === "PAYMENT_FAILED") readAgain();
  });
  useResync(() => {
    if (own) readAgain(); // a page that passes `loaded` reads its whole operation again itself
  });
  const read = own ? (result.data?.viewer?.subscriber.declinedInvoices ?? []) : (loaded ?? []);
  const invoices = read.filter((i) => i.status === "OPEN" || i.status === "OVERDUE");
  if (invoices.length === 0) return null; // Billing down: the invoices page says so; the notice stays quiet
  return (
    <>
      {invoices.map((invoice) => (
        <DeclinedInvoiceNotice key={invoice.id} invoice={invoice} showAttempts={showAttempts} canPay={canManageBilling} />
      ))}
    </>
  );
}

/** One line of the attempts list: the first charge or a retry, succeeded or declined (with why). */
const ATTEMPT_TEXT: Record<"charge" | "retry", Record<"ok" | "declined", MessageKey>> = {
  charge: { ok: "dunning.chargeSucceeded", declined: "dunning.chargeDeclined" },
  retry: { ok: "dunning.retrySucceeded", declined: "dunning.retryDeclined" },
};

/** One invoice's notice; `canPay`: the viewer may pay (VIEWER and SITE users read it without the button). */
export function DeclinedInvoiceNotice({
  invoice,
  showAttempts,
  canPay,
}: {
  invoice: DeclinedInvoiceFragment;
  showAttempts: boolean;
  canPay: boolean;
}) {
  const notice = dunningNotice(invoice);
  if (!notice) return null;
  const exhausted = invoice.dunning?.state === "EXHAUSTED";
  return (
    <div
      className={`banner ${exhausted ? "banner--error" : "banner--warning"} dunning`}
      role="status"
      data-testid="dunning-notice"
      data-state={invoice.dunning?.state}
    >
      <div className="banner__text">
        <strong>{notice.headline}</strong>
        <span>{notice.detail}</span>
        {showAttempts && invoice.dunning ? (
          <ol className="dunning__attempts small" aria-label={t("dunning.attempts", { number: invoice.number })}>
            {invoice.dunning.attempts.map((a) => (
              <li key={`${a.retry}-${a.at}`} data-testid="dunning-attempt">
                {t(ATTEMPT_TEXT[a.retry === 0 ? "charge" : "retry"][a.outcome === "SUCCEEDED" ? "ok" : "declined"], {
                  date: formatDate(a.at.slice(0, 10)),
                  retry: a.retry,
                  reason: declineReasonText(a.declineReason),
                })}
              </li>
            ))}
          </ol>
        ) : null}
      </div>
      {canPay ? <UpdateCardAndPay invoice={invoice} /> : null}
    </div>
  );
}

function UpdateCardAndPay({ invoice }: { invoice: DeclinedInvoiceFragment }) {
  const [, payInvoice] = useMutation(PayInvoiceMutation);
  const key = useRef<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function start() {
    if (busy) return;
    setBusy(true);
    setError(null);
    key.current ??= newIdempotencyKey(); // a double click or a retry replays the same checkout
    const result = await payInvoice({ input: { invoiceId: invoice.id, idempotencyKey: key.current, saveCard: true } });
    const payload = result.data?.payInvoice;
    if (payload && payload.userErrors.length > 0) {
      key.current = null;
      setError(userErrorText(payload.userErrors, PAY_INVOICE));
      setBusy(false);
      return;
    }
    if (!payload?.checkoutUrl) {
      setError(result.error ? t("pay.failedNothingCharged", { reason: describeError(result.error).title }) : t("pay.notStarted"));
      setBusy(false);
      return;
    }
    savePending({
      kind: "invoice",
      startedAt: Date.now(),
      invoiceId: invoice.id,
      invoiceNumber: invoice.number,
      amount: invoice.balance.amount,
      currency: invoice.balance.currency,
      watchServiceIds: [],
    });
    redirectTo(payload.checkoutUrl);
  }

  return (
    <div className="dunning__action">
      <button
        type="button"
        className="btn btn--primary btn--small"
        data-testid="update-card-and-pay"
        disabled={busy}
        aria-label={t("dunning.updateAndPayLabel", { number: invoice.number })}
        onClick={() => void start()}
      >
        {busy ? t("dunning.starting") : t("dunning.updateAndPay")}
      </button>
      {error ? (
        <p className="small" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
