import { useId, useRef, useState } from "react";
import { useMutation } from "urql";
import { describeError } from "../api/errors";
import { formatMoney, type MoneyValue } from "../format";
import { graphql } from "../gql";
import { newIdempotencyKey, TOPUP_MAX, TOPUP_MIN, validateTopUpAmount } from "../money";
import type { PaymentGateway } from "../gql/graphql";
import { GatewaySelect, usePaymentGateways } from "../payments/gateways";
import { savePending } from "../payments/pending";
import { REDEEM_GIFT_CARD, TOP_UP_WALLET, userErrorText } from "../userErrors";
import { redirectTo } from "./InvoicePayActions";
import { t } from "../i18n";

const TopUpWalletMutation = graphql(`
  mutation TopUpWallet($input: TopUpWalletInput!) {
    topUpWallet(input: $input) {
      checkoutUrl
      userErrors {
        field
        message
        code
      }
    }
  }
`);

const RedeemGiftCardMutation = graphql(`
  mutation RedeemGiftCard($input: RedeemGiftCardInput!) {
    redeemGiftCard(input: $input) {
      credited {
        amount
        currency
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

/** "Add funds": validated here first, then by the server; on success the browser goes to the gateway's page. */
export function TopUpForm({ currency }: { currency: string }) {
  const [, topUp] = useMutation(TopUpWalletMutation);
  const [amount, setAmount] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const [redirecting, setRedirecting] = useState(false);
  // One key per amount: a double submit of the same amount replays the same checkout.
  const key = useRef<{ amount: string; key: string } | null>(null);
  const ids = { input: useId(), hint: useId(), error: useId() };
  const gateways = usePaymentGateways();
  const [gateway, setGateway] = useState<PaymentGateway | null>(null);

  async function submit() {
    if (submitting || redirecting) return;
    const check = validateTopUpAmount(amount, currency);
    if (!check.ok) {
      setError(check.message);
      return;
    }
    setError(null);
    setSubmitting(true);
    if (key.current?.amount !== check.amount) key.current = { amount: check.amount, key: newIdempotencyKey() };
    const result = await topUp({
      input: { amount: check.amount, idempotencyKey: key.current.key, ...(gateway ? { gateway } : {}) },
    });
    const payload = result.data?.topUpWallet;
    if (payload && payload.userErrors.length > 0) {
      key.current = null;
      setError(userErrorText(payload.userErrors, TOP_UP_WALLET));
      setSubmitting(false);
      return;
    }
    if (!payload?.checkoutUrl) {
      setError(result.error ? t("pay.failedNothingCharged", { reason: describeError(result.error).title }) : t("wallet.topUpNotStarted"));
      setSubmitting(false);
      return;
    }
    savePending({ kind: "topup", startedAt: Date.now(), amount: check.amount, currency });
    setRedirecting(true);
    redirectTo(payload.checkoutUrl);
  }

  return (
    <section className="card" aria-labelledby="topup-title">
      <h2 id="topup-title" className="card__title">
        {t("wallet.addFunds")}
      </h2>
      <form
        className="form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <div className="field">
          <label htmlFor={ids.input}>{t("wallet.amount", { currency })}</label>
          <input
            id={ids.input}
            name="amount"
            type="text"
            inputMode="decimal"
            autoComplete="off"
            placeholder="25.00"
            value={amount}
            onChange={(e) => {
              setAmount(e.target.value);
              if (error) setError(null);
            }}
            aria-invalid={error ? true : undefined}
            aria-describedby={`${ids.hint} ${ids.error}`}
            disabled={submitting || redirecting}
            data-testid="topup-amount"
          />
          <p id={ids.hint} className="muted small">
            {t("wallet.between", { min: formatMoney({ amount: TOPUP_MIN, currency }), max: formatMoney({ amount: TOPUP_MAX, currency }) })}
          </p>
        </div>
        <GatewaySelect
          gateways={gateways}
          value={gateway}
          disabled={submitting || redirecting}
          testId="topup-gateway"
          onChange={(chosen) => {
            key.current = null; // another gateway: another payment start
            setGateway(chosen);
          }}
        />
        <p id={ids.error} className="form-error" role="alert" aria-live="assertive" data-testid="topup-error">
          {error ?? ""}
        </p>
        <button type="submit" className="btn btn--primary" disabled={submitting || redirecting} data-testid="topup-submit">
          {redirecting ? t("wallet.redirecting") : submitting ? t("wallet.starting") : t("wallet.addFunds")}
        </button>
      </form>
    </section>
  );
}

/** "Redeem gift card": credits the wallet at once; the result (or the reason it failed) is announced. */
export function GiftCardForm({ onRedeemed }: { onRedeemed?: (balance: MoneyValue | null) => void }) {
  const [, redeem] = useMutation(RedeemGiftCardMutation);
  const [code, setCode] = useState("");
  const [submitting, setSubmitting] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  const ids = { input: useId(), result: useId() };

  async function submit() {
    if (submitting) return;
    const trimmed = code.trim();
    if (!trimmed) {
      setResult({ ok: false, text: t("wallet.enterCode") });
      return;
    }
    setSubmitting(true);
    setResult(null);
    const response = await redeem({ input: { code: trimmed } });
    setSubmitting(false);
    const payload = response.data?.redeemGiftCard;
    if (payload && payload.userErrors.length > 0) {
      setResult({ ok: false, text: userErrorText(payload.userErrors, REDEEM_GIFT_CARD) });
      return;
    }
    if (!payload) {
      setResult({ ok: false, text: response.error ? t("pay.failedTryAgain", { reason: describeError(response.error).title }) : t("common.pleaseTryAgain") });
      return;
    }
    setCode("");
    const balance = payload.wallet?.balance ?? null;
    setResult({
      ok: true,
      text: balance
        ? t("wallet.creditedBalance", { amount: formatMoney(payload.credited), balance: formatMoney(balance) })
        : t("wallet.credited", { amount: formatMoney(payload.credited) }),
    });
    onRedeemed?.(balance);
  }

  return (
    <section className="card" aria-labelledby="giftcard-title">
      <h2 id="giftcard-title" className="card__title">
        {t("wallet.redeemTitle")}
      </h2>
      <form
        className="form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <div className="field">
          <label htmlFor={ids.input}>{t("wallet.giftCode")}</label>
          <input
            id={ids.input}
            name="code"
            type="text"
            autoComplete="off"
            autoCapitalize="characters"
            spellCheck={false}
            maxLength={64}
            placeholder="WG-XXXX-XX"
            value={code}
            onChange={(e) => setCode(e.target.value)}
            aria-invalid={result && !result.ok ? true : undefined}
            aria-describedby={ids.result}
            disabled={submitting}
            data-testid="giftcard-code"
          />
        </div>
        <p
          id={ids.result}
          className={result?.ok ? "form-success" : "form-error"}
          role="status"
          aria-live="polite"
          data-testid="giftcard-result"
          data-outcome={result ? (result.ok ? "success" : "error") : undefined}
        >
          {result?.text ?? ""}
        </p>
        <button type="submit" className="btn btn--secondary" disabled={submitting} data-testid="giftcard-submit">
          {submitting ? t("wallet.redeeming") : t("wallet.redeem")}
        </button>
      </form>
    </section>
  );
}
