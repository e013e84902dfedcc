import { useCallback, useEffect, useReducer, useState } from "react";
import { Link, useSearchParams } from "react-router-dom";
import { useClient, useQuery } from "urql";
import { PaymentSettledSubscription, ServiceStatusChangedSubscription, WalletChangedSubscription } from "../api/liveOperations";
import { useLiveSubscription, useResync } from "../api/useLive";
import { EmptyState, Spinner } from "../components/Feedback";
import { CheckIcon } from "../components/Icons";
import { PageHeader } from "../components/Layout";
import { formatMoney, isPositive } from "../format";
import { graphql } from "../gql";
import { t, type MessageKey } from "../i18n";
import { rich } from "../i18n/rich";
import { brandName } from "../labels";
import { clearPending, loadPending } from "../payments/pending";
import {
  CARD_POLL_MS,
  CONFIRM_TIMEOUT_MS,
  initialReturnState,
  parseReturnKind,
  returnReducer,
  type InvoiceLite,
  type ReturnKind,
  type ServiceLite,
} from "../payments/returnState";

const ReturnInvoiceQuery = graphql(`
  query PaymentReturnInvoice($id: ID!) {
    node(id: $id) {
      __typename
      ... on Invoice {
        id
        number
        status
        total {
          amount
          currency
        }
        subService {
          id
          label
          status
        }
        lines {
          subService {
            id
            label
            status
          }
        }
      }
    }
  }
`);

const ReturnInvoicesQuery = graphql(`
  query PaymentReturnInvoices($ids: [ID!]!) {
    nodes(ids: $ids) {
      __typename
      ... on Invoice {
        id
        number
        status
        total {
          amount
          currency
        }
        subService {
          id
          label
          status
        }
        lines {
          subService {
            id
            label
            status
          }
        }
      }
    }
  }
`);

const ReturnInvoiceChanged = graphql(`
  subscription PaymentReturnInvoiceChanged {
    invoiceChanged {
      id
      number
      status
      total {
        amount
        currency
      }
      subService {
        id
        label
        status
      }
      lines {
        subService {
          id
          label
          status
        }
      }
    }
  }
`);

const ReturnWalletQuery = graphql(`
  query PaymentReturnWallet {
    viewer {
      subscriber {
        id
        wallet {
          balance {
            amount
            currency
          }
          transactions(first: 10) {
            nodes {
              id
              kind
              amount {
                amount
                currency
              }
              createdAt
            }
          }
        }
      }
    }
  }
`);

const ReturnOutstandingQuery = graphql(`
  query PaymentReturnOutstanding {
    viewer {
      subscriber {
        id
        financialSummary {
          outstanding {
            amount
            currency
          }
        }
      }
    }
  }
`);

/** "Pay an invoice" after a top-up, only when something is left to pay (read fresh: the top-up may have been
 * followed by a payment in another tab). */
function PayAnInvoiceLink() {
  const [result] = useQuery({ query: ReturnOutstandingQuery, requestPolicy: "network-only" });
  const outstanding = result.data?.viewer?.subscriber.financialSummary?.outstanding;
  if (!isPositive(outstanding)) return null;
  return (
    <Link to="/invoices?tab=open" className="btn btn--secondary" data-testid="confirmation-pay-invoice">
      {t("return.payInvoice")}
    </Link>
  );
}

const ReturnCardsQuery = graphql(`
  query PaymentReturnCards {
    viewer {
      subscriber {
        id
        paymentMethods {
          id
          brand
          last4
        }
      }
    }
  }
`);

/** Slower re-reads for invoices and top-ups, in case the socket is blocked (events are the fast path). */
const READ_POLL_MS = 5_000;
const READ_POLL_MAX_MS = 120_000;

interface InvoiceShape {
  id: string;
  number: string;
  status: string;
  total: { amount: string; currency: string };
  subService: ServiceLite | null;
  lines: { subService: ServiceLite | null }[];
}

function toInvoiceLite(inv: InvoiceShape): InvoiceLite {
  const services = new Map<string, ServiceLite>();
  for (const s of [inv.subService, ...inv.lines.map((l) => l.subService)]) if (s) services.set(s.id, s);
  return { id: inv.id, number: inv.number, status: inv.status, total: inv.total, services: [...services.values()] };
}

const WAITING_TEXT: Record<ReturnKind, MessageKey> = {
  invoice: "return.confirming",
  invoices: "return.confirming",
  topup: "return.confirming",
  card: "return.savingCard",
};

export function PaymentReturnPage() {
  const [params] = useSearchParams();
  const kind = parseReturnKind(params.get("kind"));
  if (!kind) {
    return (
      <>
        <PageHeader title={t("return.payment")} />
        <EmptyState title={t("return.nothing")}>
          <Link to="/invoices" className="btn btn--secondary">
            {t("return.goInvoices")}
          </Link>
        </EmptyState>
      </>
    );
  }
  // "invoices": how many invoices the checkout paid, to confirm even without this tab's memory of which.
  const count = Math.min(Math.max(Number.parseInt(params.get("count") ?? "", 10) || 0, 0), 50);
  return (
    <PaymentReturn key={`${kind}:${params.get("invoice") ?? ""}`} kind={kind} invoiceId={params.get("invoice")} expectedCount={count} />
  );
}

function PaymentReturn({ kind, invoiceId, expectedCount }: { kind: ReturnKind; invoiceId: string | null; expectedCount: number }) {
  const client = useClient();
  const [state, dispatch] = useReducer(returnReducer, null, () =>
    initialReturnState(kind, invoiceId, loadPending(kind, invoiceId), expectedCount),
  );
  const invoiceIds = state.invoiceIds;
  const confirmed = state.phase === "confirmed";
  // Bumped by "Check again" after the timeout: restarts the reads and the clock.
  const [round, setRound] = useState(0);

  const read = useCallback(async () => {
    if (kind === "invoice" && invoiceId) {
      const result = await client.query(ReturnInvoiceQuery, { id: invoiceId }, { requestPolicy: "network-only" }).toPromise();
      const node = result.data?.node;
      if (node && node.__typename === "Invoice") dispatch({ type: "invoice", invoice: toInvoiceLite(node) });
    } else if (kind === "invoices" && invoiceIds.length > 0) {
      const result = await client.query(ReturnInvoicesQuery, { ids: invoiceIds }, { requestPolicy: "network-only" }).toPromise();
      for (const node of result.data?.nodes ?? []) {
        if (node && node.__typename === "Invoice") dispatch({ type: "invoice", invoice: toInvoiceLite(node) });
      }
    } else if (kind === "topup") {
      const result = await client.query(ReturnWalletQuery, {}, { requestPolicy: "network-only" }).toPromise();
      const wallet = result.data?.viewer?.subscriber.wallet;
      if (wallet) dispatch({ type: "wallet", wallet: { balance: wallet.balance, transactions: wallet.transactions.nodes } });
    } else if (kind === "card") {
      const result = await client.query(ReturnCardsQuery, {}, { requestPolicy: "network-only" }).toPromise();
      const cards = result.data?.viewer?.subscriber.paymentMethods;
      if (cards) dispatch({ type: "cards", cards });
    }
  }, [client, kind, invoiceId, invoiceIds]);

  // Read once now (the webhook may have arrived before the socket connected), then keep reading at a gentle pace
  // until confirmed: every 2 s for up to 30 s for cards (stored by webhook, no event), slower for the others.
  useEffect(() => {
    if (confirmed) return undefined;
    void read();
    const every = kind === "card" ? CARD_POLL_MS : READ_POLL_MS;
    const stopAfter = kind === "card" ? CONFIRM_TIMEOUT_MS : READ_POLL_MAX_MS;
    const started = Date.now();
    const poll = setInterval(() => {
      if (Date.now() - started >= stopAfter) clearInterval(poll);
      else void read();
    }, every);
    const timeout = setTimeout(() => dispatch({ type: "timeout" }), CONFIRM_TIMEOUT_MS);
    return () => {
      clearInterval(poll);
      clearTimeout(timeout);
    };
  }, [read, confirmed, kind, round]);

  useEffect(() => {
    if (confirmed) clearPending(kind);
  }, [confirmed, kind]);

  useLiveSubscription(PaymentSettledSubscription, {}, (data) => {
    const e = data.paymentSettled;
    if (e.kind === "ADD_ON") return; // bought from a sub-service's page, which follows it there
    dispatch({
      type: "settled",
      event: {
        kind: e.kind,
        amount: e.amount,
        invoice: e.invoice,
        walletBalance: e.wallet?.balance ?? null,
        reactivated: e.reactivated,
      },
    });
  });
  useLiveSubscription(ServiceStatusChangedSubscription, {}, (data) => dispatch({ type: "service", service: data.serviceStatusChanged }), {
    pause: kind !== "invoice",
  });
  useLiveSubscription(ReturnInvoiceChanged, {}, (data) => dispatch({ type: "invoice", invoice: toInvoiceLite(data.invoiceChanged) }), {
    pause: kind !== "invoice" && kind !== "invoices",
  });
  useLiveSubscription(WalletChangedSubscription, {}, () => void read(), { pause: kind !== "topup" });
  useResync(() => void read());

  // A top-up confirmed by its event may arrive without the balance (a role that cannot see the wallet): read it.
  useEffect(() => {
    if (confirmed && kind === "topup" && !state.walletBalance) void read();
  }, [confirmed, kind, state.walletBalance, read]);

  const title = t(
    kind === "card"
      ? "return.titleCard"
      : kind === "topup"
        ? "return.titleTopup"
        : kind === "invoices"
          ? "return.titleInvoices"
          : "return.titleInvoice",
  );

  return (
    <>
      <PageHeader title={confirmed ? t(kind === "card" ? "return.cardSaved" : "return.received") : title} />
      <div aria-live="polite">
        {confirmed ? (
          <Confirmation state={state} />
        ) : (
          <section className="card return-wait" data-testid="payment-waiting" data-phase={state.phase}>
            <Spinner label={t(WAITING_TEXT[kind])} />
            {state.phase === "slow" ? (
              <div className="banner banner--warning" role="status" data-testid="payment-pending">
                <div className="banner__text">
                  <strong>{t("return.slow")}</strong>
                  <span>
                    {kind === "card"
                      ? t("return.slowCard")
                      : t("return.slowPayment")}
                  </span>
                </div>
                <button type="button" className="btn btn--small" onClick={() => setRound((r) => r + 1)} data-testid="payment-check-again">
                  {t("return.checkAgain")}
                </button>
              </div>
            ) : (
              <p className="muted">{t("return.fewSeconds")}</p>
            )}
            <p className="small">
              {kind === "card" ? (
                <Link to="/payment-methods">{t("return.goCards")}</Link>
              ) : kind === "topup" ? (
                <Link to="/wallet">{t("return.goWallet")}</Link>
              ) : (
                <Link to="/invoices">{t("return.goInvoices")}</Link>
              )}
            </p>
          </section>
        )}
      </div>
    </>
  );
}

function Confirmation({ state }: { state: ReturnType<typeof initialReturnState> }) {
  return (
    <section
      className="card confirmation"
      data-testid="payment-confirmation"
      data-kind={state.kind}
      role="status"
      aria-labelledby="confirmation-title"
    >
      <CheckIcon className="confirmation__icon" />
      {state.kind === "invoice" ? (
        <>
          <h2 id="confirmation-title" className="confirmation__title">
            {t("return.thanks")}
          </h2>
          <p>
            {rich(state.invoiceNumber ? "return.receivedFor" : "return.receivedAmount", {
              amount: <strong data-testid="confirmation-amount">{formatMoney(state.amount)}</strong>,
              invoice: <strong data-testid="confirmation-invoice">{state.invoiceNumber}</strong>,
            })}
          </p>
          {state.reactivated.length > 0 ? (
            <ul className="plain-list confirmation__services" aria-label={t("return.reactivated")}>
              {state.reactivated.map((s) => (
                <li key={s.id} className="confirmation__service" data-testid="reactivated-service">
                  <CheckIcon className="icon icon--ok" /> {t("return.activeAgain", { service: s.label })}
                </li>
              ))}
            </ul>
          ) : null}
          <div className="confirmation__actions">
            <Link to="/" className="btn btn--primary">
              {t("return.backDashboard")}
            </Link>
            <Link to="/invoices?tab=paid" className="btn btn--secondary">
              {t("return.viewPaid")}
            </Link>
          </div>
        </>
      ) : state.kind === "invoices" ? (
        <>
          <h2 id="confirmation-title" className="confirmation__title">
            {t("return.thanks")}
          </h2>
          <p>
            {state.amount
              ? rich(
                  "return.receivedForInvoices",
                  { amount: <strong data-testid="confirmation-amount">{formatMoney(state.amount)}</strong> },
                  { count: state.paidInvoices.length },
                )
              : t("return.receivedPaymentForInvoices", { count: state.paidInvoices.length })}
          </p>
          <ul className="plain-list" aria-label={t("return.invoicesPaid")} data-testid="confirmation-invoices">
            {state.paidInvoices.map((i) => (
              <li key={i.id} data-testid="confirmation-invoice">
                <CheckIcon className="icon icon--ok" /> {t("return.invoiceIsPaid", { invoice: i.number })}
              </li>
            ))}
          </ul>
          {state.reactivated.length > 0 ? (
            <ul className="plain-list confirmation__services" aria-label={t("return.reactivated")}>
              {state.reactivated.map((s) => (
                <li key={s.id} className="confirmation__service" data-testid="reactivated-service">
                  <CheckIcon className="icon icon--ok" /> {t("return.activeAgain", { service: s.label })}
                </li>
              ))}
            </ul>
          ) : null}
          <div className="confirmation__actions">
            <Link to="/" className="btn btn--primary">
              {t("return.backDashboard")}
            </Link>
            <Link to="/invoices?tab=paid" className="btn btn--secondary">
              {t("return.viewPaid")}
            </Link>
          </div>
        </>
      ) : state.kind === "topup" ? (
        <>
          <h2 id="confirmation-title" className="confirmation__title">
            {t("return.fundsAdded")}
          </h2>
          <p>
            {rich("return.amountAdded", { amount: <strong data-testid="confirmation-amount">{formatMoney(state.amount)}</strong> })}
          </p>
          {state.walletBalance ? (
            <p>
              {rich("return.newBalance", {
                balance: <strong data-testid="confirmation-wallet-balance">{formatMoney(state.walletBalance)}</strong>,
              })}
            </p>
          ) : null}
          <div className="confirmation__actions">
            <Link to="/wallet" className="btn btn--primary">
              {t("return.goWallet")}
            </Link>
            <PayAnInvoiceLink />
          </div>
        </>
      ) : (
        <>
          <h2 id="confirmation-title" className="confirmation__title">
            {t("return.cardSaved")}
          </h2>
          {state.card ? (
            <p data-testid="confirmation-card">
              {t("return.cardIsSaved", { card: `${brandName(state.card.brand)} •••• ${state.card.last4}` })}
            </p>
          ) : null}
          <p className="muted">{t("return.neverSee")}</p>
          <div className="confirmation__actions">
            <Link to="/payment-methods" className="btn btn--primary">
              {t("nav.cards")}
            </Link>
          </div>
        </>
      )}
    </section>
  );
}
