import { useRef, useState } from "react";
import { useMutation } from "urql";
import { describeError } from "../api/errors";
import { compareDecimal, decimalSign, formatMoney, isPositive, type MoneyValue } from "../format";
import { graphql } from "../gql";
import type { InvoiceRowFragment, PaymentGateway } from "../gql/graphql";
import { minDecimal, newIdempotencyKey } from "../money";
import { GatewaySelect, usePaymentGateways } from "../payments/gateways";
import { savePending } from "../payments/pending";
import { APPLY_WALLET_TO_INVOICE, PAY_INVOICE, userErrorText } from "../userErrors";
import { ConfirmDialog } from "./ConfirmDialog";
import { t } from "../i18n";

export const PayInvoiceMutation = graphql(`
  mutation PayInvoice($input: PayInvoiceInput!) {
    payInvoice(input: $input) {
      checkoutUrl
      invoice {
        id
        number
        balance {
          amount
          currency
        }
        subService {
          id
          status
          statusReason
        }
        lines {
          subService {
            id
            status
            statusReason
          }
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

const ApplyWalletMutation = graphql(`
  mutation ApplyWalletToInvoice($input: ApplyWalletToInvoiceInput!) {
    applyWalletToInvoice(input: $input) {
      invoice {
        ...InvoiceRow
      }
      wallet {
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

export interface PayableInvoice {
  id: string;
  number: string;
  status: string;
  balance: MoneyValue;
}

/** Where the browser goes for a hosted payment page; a function so tests and the dev server can observe it. */
export function redirectTo(url: string): void {
  window.location.assign(url);
}

/**
 * "Pay now" (hosted checkout at the gateway) and "Pay from wallet" for one open invoice. Only rendered for users
 * who may manage billing. The idempotency key is made on the first click and kept while that attempt is in flight
 * or its outcome is unknown, so a double-click or a retry after a network error replays the same payment start.
 */
export function InvoicePayActions({
  invoice,
  walletBalance,
  onUpdated,
}: {
  invoice: PayableInvoice;
  walletBalance: MoneyValue | null;
  onUpdated?: (invoice: InvoiceRowFragment, walletBalance: MoneyValue | null) => void;
}) {
  const [, payInvoice] = useMutation(PayInvoiceMutation);
  const [, applyWallet] = useMutation(ApplyWalletMutation);
  const payKey = useRef<string | null>(null);
  const walletKey = useRef<string | null>(null);
  const [paying, setPaying] = useState(false);
  const [redirecting, setRedirecting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [applying, setApplying] = useState(false);
  const [walletError, setWalletError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const gateways = usePaymentGateways();
  const [gateway, setGateway] = useState<PaymentGateway | null>(null);

  const open = invoice.status === "OPEN" || invoice.status === "OVERDUE";
  if (!open || !isPositive(invoice.balance)) {
    return done ? (
      <p className="pay-actions__done" role="status" data-testid="pay-wallet-result">
        {done}
      </p>
    ) : null;
  }

  const sameCurrency = walletBalance && walletBalance.currency === invoice.balance.currency;
  const canUseWallet = !!sameCurrency && decimalSign(walletBalance.amount) > 0;
  const walletAmount: MoneyValue | null = canUseWallet
    ? { amount: minDecimal(walletBalance.amount, invoice.balance.amount), currency: invoice.balance.currency }
    : null;
  const coversAll = canUseWallet && compareDecimal(walletBalance.amount, invoice.balance.amount) >= 0;

  async function pay() {
    if (paying) return;
    setPaying(true);
    setError(null);
    payKey.current ??= newIdempotencyKey();
    const result = await payInvoice({
      input: { invoiceId: invoice.id, idempotencyKey: payKey.current, ...(gateway ? { gateway } : {}) },
    });
    const payload = result.data?.payInvoice;
    if (payload && payload.userErrors.length > 0) {
      payKey.current = null; // refused: the next click is a new attempt
      setError(userErrorText(payload.userErrors, PAY_INVOICE));
      setPaying(false);
      return;
    }
    if (!payload?.checkoutUrl) {
      // Outcome unknown (network, outage): keep the key so "try again" replays the same checkout.
      setError(result.error ? t("pay.failedNothingCharged", { reason: describeError(result.error).title }) : t("pay.notStarted"));
      setPaying(false);
      return;
    }
    const services = [payload.invoice?.subService, ...(payload.invoice?.lines.map((l) => l.subService) ?? [])];
    const watch = services.filter(
      (s): s is NonNullable<typeof s> => !!s && s.status !== "ACTIVE" && s.statusReason === "NON_PAYMENT",
    );
    savePending({
      kind: "invoice",
      startedAt: Date.now(),
      invoiceId: invoice.id,
      invoiceNumber: invoice.number,
      amount: (payload.invoice?.balance ?? invoice.balance).amount,
      currency: (payload.invoice?.balance ?? invoice.balance).currency,
      watchServiceIds: [...new Set(watch.map((s) => s.id))],
    });
    setRedirecting(true);
    redirectTo(payload.checkoutUrl);
  }

  async function applyFromWallet() {
    if (!walletAmount || applying) return;
    setApplying(true);
    setWalletError(null);
    walletKey.current ??= newIdempotencyKey();
    const result = await applyWallet({
      input: { invoiceId: invoice.id, amount: walletAmount.amount, idempotencyKey: walletKey.current },
    });
    const payload = result.data?.applyWalletToInvoice;
    setApplying(false);
    if (payload && payload.userErrors.length > 0) {
      walletKey.current = null;
      setWalletError(userErrorText(payload.userErrors, APPLY_WALLET_TO_INVOICE));
      return;
    }
    if (!payload?.invoice) {
      setWalletError(result.error ? t("pay.failedTryAgain", { reason: describeError(result.error).title }) : t("pay.walletNotApplied"));
      return;
    }
    walletKey.current = null;
    setConfirming(false);
    setDone(t("pay.paidFromWallet", { amount: formatMoney(walletAmount) }));
    onUpdated?.(payload.invoice, payload.wallet?.balance ?? null);
  }

  return (
    <div className="pay-actions">
      {/* Above the buttons, not beside them: the invoices table's actions column keeps its width. */}
      <GatewaySelect
        gateways={gateways}
        value={gateway}
        disabled={paying || redirecting}
        testId="pay-gateway"
        compact
        onChange={(chosen) => {
          payKey.current = null; // another gateway: another payment start
          setGateway(chosen);
        }}
      />
      <div className="pay-actions__buttons">
        <button
          type="button"
          className="btn btn--primary btn--small"
          data-testid="pay-invoice"
          disabled={paying || redirecting}
          aria-label={t("pay.nowLabel", { number: invoice.number, amount: formatMoney(invoice.balance) })}
          onClick={() => void pay()}
        >
          {redirecting ? t("pay.redirecting") : paying ? t("pay.starting") : t("pay.now")}
        </button>
        {canUseWallet ? (
          <button
            type="button"
            className="btn btn--secondary btn--small"
            data-testid="pay-from-wallet"
            disabled={paying || redirecting || applying}
            aria-label={t("pay.fromWalletLabel", { number: invoice.number })}
            onClick={() => {
              setWalletError(null);
              setConfirming(true);
            }}
          >
            {t("pay.fromWallet")}
          </button>
        ) : null}
      </div>
      <p className="form-error" role="alert" aria-live="assertive" data-testid="pay-error">
        {error ?? ""}
      </p>
      {done ? (
        <p className="pay-actions__done" role="status" data-testid="pay-wallet-result">
          {done}
        </p>
      ) : null}
      {walletAmount ? (
        <ConfirmDialog
          open={confirming}
          title={t("pay.confirmTitle", { number: invoice.number })}
          confirmText={t("pay.apply", { amount: formatMoney(walletAmount) })}
          busyText={t("pay.applying")}
          busy={applying}
          error={walletError}
          onConfirm={() => void applyFromWallet()}
          onCancel={() => setConfirming(false)}
          testId="wallet-confirm"
        >
          <p>
            <strong data-testid="wallet-apply-amount">{formatMoney(walletAmount)}</strong>{" "}
            {t("pay.willTake", { balance: formatMoney(walletBalance) })}
          </p>
          <p className="muted">
            {coversAll
              ? t("pay.inFull")
              : t("pay.partial", { balance: formatMoney(invoice.balance) })}
          </p>
        </ConfirmDialog>
      ) : null}
    </div>
  );
}
