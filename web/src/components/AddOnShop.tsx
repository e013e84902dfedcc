import { useRef, useState } from "react";
import { useMutation, useQuery } from "urql";
import { describeError } from "../api/errors";
import { formatMoney } from "../format";
import { graphql } from "../gql";
import type { AddOnPaymentMethod, BuyAddOnErrorCode } from "../gql/graphql";
import { newIdempotencyKey } from "../money";
import { SERVER, userErrorText, type WordingOf } from "../userErrors";
import { ConfirmDialog } from "./ConfirmDialog";
import { redirectTo } from "./InvoicePayActions";
import { t } from "../i18n";

// The add-ons and data top-ups a sub-service can buy: from the wallet at once, or by card on the gateway's page
// (bought when the payment settles; the gateway sends the browser back to this page).

const SubServiceAddOnsQuery = graphql(`
  query SubServiceAddOns($id: ID!) {
    node(id: $id) {
      ... on SubService {
        id
        availableAddOns {
          code
          name
          category
          billing
          price {
            amount
            currency
          }
          priceNow {
            amount
            currency
          }
          dataGb
          active
        }
      }
    }
  }
`);

const BuyAddOnMutation = graphql(`
  mutation BuyAddOn($input: BuyAddOnInput!) {
    buyAddOn(input: $input) {
      subService {
        id
        status
        statusReason
      }
      purchase {
        code
        name
        charged {
          amount
          currency
        }
        dataGb
      }
      wallet {
        balance {
          amount
          currency
        }
      }
      checkoutUrl
      userErrors {
        field
        message
        code
      }
    }
  }
`);

export const BUY_ADD_ON: WordingOf<BuyAddOnErrorCode> = {
  NOT_FOUND: SERVER,
  UNKNOWN_ADD_ON: "userError.unknownAddOn",
  ALREADY_ACTIVE: "userError.addOnActive",
  INSUFFICIENT_BALANCE: "userError.insufficientBalanceCard",
  SERVICE_SUSPENDED: "userError.suspendedAddOn",
  GATEWAY_UNAVAILABLE: "userError.gatewayUnavailable",
  RETURN_URL_NOT_ALLOWED: SERVER,
  IDEMPOTENCY_KEY_INVALID: SERVER,
  IDEMPOTENCY_CONFLICT: SERVER,
  REFUSED: SERVER,
};

type Choice = { code: string; name: string; method: AddOnPaymentMethod; price: { amount: string; currency: string } };

export function AddOnShop({ serviceId, canBuy, onBought }: { serviceId: string; canBuy: boolean; onBought?: () => void }) {
  const [offers, refetch] = useQuery({ query: SubServiceAddOnsQuery, variables: { id: serviceId } });
  const [, buy] = useMutation(BuyAddOnMutation);
  const [choice, setChoice] = useState<Choice | null>(null);
  const key = useRef<{ choice: string; key: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const returned = new URLSearchParams(window.location.search).get("addOn");

  const node = offers.data?.node;
  const list = node && "availableAddOns" in node ? node.availableAddOns : null;
  if (!list || list.length === 0) return null;

  async function confirm() {
    if (!choice || busy) return;
    setBusy(true);
    setError(null);
    const what = `${choice.code}:${choice.method}`;
    if (key.current?.choice !== what) key.current = { choice: what, key: newIdempotencyKey() };
    const input = { subServiceId: serviceId, addOnCode: choice.code, paymentMethod: choice.method, idempotencyKey: key.current.key };
    const answer = await buy({ input });
    const payload = answer.data?.buyAddOn;
    if (payload && payload.userErrors.length > 0) {
      key.current = null;
      setBusy(false);
      setError(userErrorText(payload.userErrors, BUY_ADD_ON));
      return;
    }
    if (payload?.checkoutUrl) {
      redirectTo(payload.checkoutUrl);
      return;
    }
    setBusy(false);
    if (!payload?.purchase) {
      setError(answer.error ? t("pay.failedTryAgain", { reason: describeError(answer.error).title }) : t("common.pleaseTryAgain"));
      return;
    }
    key.current = null;
    const balance = payload.wallet?.balance;
    const added = t("addOn.added", { name: payload.purchase.name, amount: formatMoney(payload.purchase.charged) });
    setDone(balance ? `${added} ${t("common.walletBalance", { balance: formatMoney(balance) })}` : added);
    setChoice(null);
    refetch({ requestPolicy: "network-only" });
    onBought?.();
  }

  return (
    <section className="card" aria-labelledby="shop-title" data-testid="addon-shop">
      <h2 id="shop-title" className="card__title">
        {t("addOn.title")}
      </h2>
      {returned === "paid" ? (
        <p className="form-success small" data-testid="addon-paid">
          {t("addOn.paid")}
        </p>
      ) : null}
      <p className="form-success" role="status" aria-live="polite" data-testid="addon-result">
        {done ?? ""}
      </p>
      <ul className="plain-list">
        {list.map((a) => (
          <li key={a.code} className="plain-list__row" data-testid="addon-offer" data-code={a.code}>
            <span>
              <span className="strong">{a.name}</span>
              <span className="muted small">
                {" "}
                {a.billing === "MONTHLY" ? t("addOn.monthly", { price: formatMoney(a.price), now: formatMoney(a.priceNow) }) : formatMoney(a.price)}
              </span>
            </span>
            <span className="plain-list__end">
              {a.active ? (
                <span className="muted small">{t("serviceStatus.ACTIVE")}</span>
              ) : canBuy ? (
                <>
                  <button
                    type="button"
                    className="btn btn--secondary btn--small"
                    onClick={() => {
                      setError(null);
                      setChoice({ code: a.code, name: a.name, method: "WALLET", price: a.priceNow });
                    }}
                    data-testid="buy-addon-wallet"
                  >
                    {t("addOn.fromWallet")}
                  </button>
                  <button
                    type="button"
                    className="btn btn--ghost btn--small"
                    onClick={() => {
                      setError(null);
                      setChoice({ code: a.code, name: a.name, method: "CARD", price: a.priceNow });
                    }}
                    data-testid="buy-addon-card"
                  >
                    {t("addOn.byCard")}
                  </button>
                </>
              ) : null}
            </span>
          </li>
        ))}
      </ul>
      <ConfirmDialog
        open={choice !== null}
        title={choice ? t("addOn.buy", { name: choice.name }) : ""}
        confirmText={choice?.method === "CARD" ? t("addOn.continue") : t("pay.fromWallet")}
        busyText={t("common.working")}
        busy={busy}
        error={error}
        onConfirm={() => void confirm()}
        onCancel={() => {
          setChoice(null);
          setError(null);
        }}
        testId="addon-confirm"
      >
        {choice ? (
          <p>
            {t(choice.method === "CARD" ? "addOn.byCardNote" : "addOn.fromWalletNote", { amount: formatMoney(choice.price) })}
          </p>
        ) : null}
      </ConfirmDialog>
    </section>
  );
}
