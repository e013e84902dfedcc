import { useEffect, useId, useRef, useState } from "react";
import { useMutation, useQuery } from "urql";
import { useViewer } from "../api/auth";
import { describeError } from "../api/errors";
import { useResync } from "../api/useLive";
import { CancelledNotice } from "../components/CancelledNotice";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { EmptyState, ErrorBanner, Skeleton } from "../components/Feedback";
import { CardIcon } from "../components/Icons";
import { redirectTo } from "../components/InvoicePayActions";
import { PageHeader } from "../components/Layout";
import { graphql } from "../gql";
import { t } from "../i18n";
import type { PaymentMethodFieldsFragment } from "../gql/graphql";
import { brandName } from "../labels";
import { newIdempotencyKey } from "../money";
import { savePending } from "../payments/pending";
import {
  ADD_PAYMENT_METHOD,
  REMOVE_PAYMENT_METHOD,
  SET_AUTOPAY,
  SET_DEFAULT_PAYMENT_METHOD,
  userErrorText,
} from "../userErrors";

export const PaymentMethodFields = graphql(`
  fragment PaymentMethodFields on PaymentMethod {
    id
    brand
    last4
    expMonth
    expYear
    isDefault
    expired
  }
`);

// What this page shows of the subscriber: the query and the card mutations all return it, so the page
// renders from whichever answered last.
export const SubscriberCardsFields = graphql(`
  fragment SubscriberCardsFields on Subscriber {
    id
    paymentMethods {
      ...PaymentMethodFields
    }
    autopay {
      enabled
      paymentMethod {
        id
      }
    }
  }
`);

const PaymentMethodsQuery = graphql(`
  query PaymentMethods {
    viewer {
      subscriber {
        ...SubscriberCardsFields
      }
    }
  }
`);

const AddPaymentMethodMutation = graphql(`
  mutation AddPaymentMethod($input: AddPaymentMethodInput!) {
    addPaymentMethod(input: $input) {
      checkoutUrl
      userErrors {
        field
        message
        code
      }
    }
  }
`);

const SetDefaultPaymentMethodMutation = graphql(`
  mutation SetDefaultPaymentMethod($input: SetDefaultPaymentMethodInput!) {
    setDefaultPaymentMethod(input: $input) {
      subscriber {
        ...SubscriberCardsFields
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`);

const RemovePaymentMethodMutation = graphql(`
  mutation RemovePaymentMethod($input: RemovePaymentMethodInput!) {
    removePaymentMethod(input: $input) {
      removedPaymentMethodId
      subscriber {
        ...SubscriberCardsFields
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`);

const SetAutopayMutation = graphql(`
  mutation SetAutopay($input: SetAutopayInput!) {
    setAutopay(input: $input) {
      autopay {
        enabled
        paymentMethod {
          id
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

interface AutopayState {
  enabled: boolean;
  paymentMethod: { id: string } | null;
}

interface CardsState {
  cards: PaymentMethodFieldsFragment[];
  autopay: AutopayState | null;
}

function expiry(card: PaymentMethodFieldsFragment): string {
  return `${String(card.expMonth).padStart(2, "0")}/${card.expYear}`;
}

export function PaymentMethodsPage() {
  const { canManageBilling } = useViewer();
  if (!canManageBilling) {
    return (
      <>
        <PageHeader title={t("nav.cards")} />
        <EmptyState title={t("cards.ownerOnly")}>
          <p>{t("cards.ownerOnlyHelp")}</p>
        </EmptyState>
      </>
    );
  }
  return <PaymentMethods />;
}

function PaymentMethods() {
  const [result, refetch] = useQuery({ query: PaymentMethodsQuery, requestPolicy: "network-only" });
  const [local, setLocal] = useState<CardsState | null>(null);
  useEffect(() => setLocal(null), [result.data]);
  useResync(() => refetch({ requestPolicy: "network-only" }));

  const subscriber = result.data?.viewer?.subscriber;
  const state: CardsState | null =
    local ?? (subscriber ? { cards: subscriber.paymentMethods ?? [], autopay: subscriber.autopay ?? null } : null);

  const [, addCard] = useMutation(AddPaymentMethodMutation);
  const [, setDefault] = useMutation(SetDefaultPaymentMethodMutation);
  const [, removeCard] = useMutation(RemovePaymentMethodMutation);
  const [, setAutopay] = useMutation(SetAutopayMutation);

  const addKey = useRef<string | null>(null);
  const [adding, setAdding] = useState(false);
  const [redirecting, setRedirecting] = useState(false);
  const [addError, setAddError] = useState<string | null>(null);
  const [busyCard, setBusyCard] = useState<string | null>(null);
  const [cardError, setCardError] = useState<{ id: string; text: string } | null>(null);
  const [removing, setRemoving] = useState<PaymentMethodFieldsFragment | null>(null);
  const [removeBusy, setRemoveBusy] = useState(false);
  const [removeError, setRemoveError] = useState<string | null>(null);
  const [autopayBusy, setAutopayBusy] = useState(false);
  const [autopayError, setAutopayError] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const autopayIds = { label: useId(), hint: useId() };

  async function add() {
    if (adding || redirecting) return;
    setAdding(true);
    setAddError(null);
    addKey.current ??= newIdempotencyKey();
    const response = await addCard({ input: { idempotencyKey: addKey.current } });
    const payload = response.data?.addPaymentMethod;
    if (payload && payload.userErrors.length > 0) {
      addKey.current = null;
      setAddError(userErrorText(payload.userErrors, ADD_PAYMENT_METHOD));
      setAdding(false);
      return;
    }
    if (!payload?.checkoutUrl) {
      setAddError(response.error ? t("pay.failedTryAgain", { reason: describeError(response.error).title }) : t("common.pleaseTryAgain"));
      setAdding(false);
      return;
    }
    savePending({ kind: "card", startedAt: Date.now(), knownCardIds: (state?.cards ?? []).map((c) => c.id) });
    setRedirecting(true);
    redirectTo(payload.checkoutUrl);
  }

  async function makeDefault(card: PaymentMethodFieldsFragment) {
    if (busyCard) return;
    setBusyCard(card.id);
    setCardError(null);
    setMessage(null);
    const response = await setDefault({ input: { paymentMethodId: card.id } });
    setBusyCard(null);
    const payload = response.data?.setDefaultPaymentMethod;
    if (payload && payload.userErrors.length > 0) {
      setCardError({ id: card.id, text: userErrorText(payload.userErrors, SET_DEFAULT_PAYMENT_METHOD) });
      return;
    }
    if (!payload) {
      setCardError({ id: card.id, text: response.error ? describeError(response.error).title : t("common.pleaseTryAgain") });
      return;
    }
    if (payload.subscriber) {
      setLocal({ cards: payload.subscriber.paymentMethods ?? [], autopay: payload.subscriber.autopay ?? null });
    } else refetch({ requestPolicy: "network-only" });
    setMessage(t("cards.nowDefault", { card: `${brandName(card.brand)} •••• ${card.last4}` }));
  }

  async function remove() {
    const card = removing;
    if (!card || removeBusy) return;
    setRemoveBusy(true);
    setRemoveError(null);
    const response = await removeCard({ input: { paymentMethodId: card.id } });
    setRemoveBusy(false);
    const payload = response.data?.removePaymentMethod;
    if (payload && payload.userErrors.length > 0) {
      setRemoveError(userErrorText(payload.userErrors, REMOVE_PAYMENT_METHOD));
      return;
    }
    if (!payload) {
      setRemoveError(response.error ? t("pay.failedTryAgain", { reason: describeError(response.error).title }) : t("common.pleaseTryAgain"));
      return;
    }
    setRemoving(null);
    if (payload.subscriber) {
      setLocal({ cards: payload.subscriber.paymentMethods ?? [], autopay: payload.subscriber.autopay ?? null });
    } else refetch({ requestPolicy: "network-only" });
    setMessage(t("cards.removed", { card: `${brandName(card.brand)} •••• ${card.last4}` }));
  }

  async function toggleAutopay(enabled: boolean) {
    if (autopayBusy || !state) return;
    setAutopayBusy(true);
    setAutopayError(null);
    setMessage(null);
    const response = await setAutopay({ input: { enabled } });
    setAutopayBusy(false);
    const payload = response.data?.setAutopay;
    if (payload && payload.userErrors.length > 0) {
      setAutopayError(userErrorText(payload.userErrors, SET_AUTOPAY));
      return;
    }
    if (!payload?.autopay) {
      setAutopayError(response.error ? t("pay.failedTryAgain", { reason: describeError(response.error).title }) : t("common.pleaseTryAgain"));
      return;
    }
    setLocal({ cards: state.cards, autopay: payload.autopay });
    setMessage(payload.autopay.enabled ? t("cards.autopayOn") : t("cards.autopayOff"));
  }

  const autopayOn = !!state?.autopay?.enabled;
  const autopayCardId = autopayOn ? state?.autopay?.paymentMethod?.id : undefined;

  return (
    <>
      <PageHeader
        title={t("nav.cards")}
        subtitle={t("cards.subtitle")}
      />
      <CancelledNotice kind="card" extra={t("cards.noneSaved")} />
      {result.error ? <ErrorBanner error={result.error} onRetry={() => refetch({ requestPolicy: "network-only" })} /> : null}
      <p className="sr-only" role="status" aria-live="polite">
        {message ?? ""}
      </p>
      {message ? (
        <div className="banner banner--success" data-testid="cards-message">
          <div className="banner__text">{message}</div>
        </div>
      ) : null}

      <section className="card" aria-labelledby="cards-title">
        <div className="card__head">
          <h2 id="cards-title" className="card__title">
            <CardIcon /> {t("cards.saved")}
          </h2>
          <button
            type="button"
            className="btn btn--primary btn--small"
            onClick={() => void add()}
            disabled={adding || redirecting}
            data-testid="add-card"
          >
            {redirecting ? t("pay.redirecting") : adding ? t("wallet.starting") : t("cards.add")}
          </button>
        </div>
        <p className="form-error" role="alert" aria-live="assertive" data-testid="add-card-error">
          {addError ?? ""}
        </p>
        {!state ? (
          result.fetching ? (
            <Skeleton lines={3} />
          ) : null
        ) : state.cards.length === 0 ? (
          <p className="muted">
            {t("cards.none")}
          </p>
        ) : (
          <ul className="plain-list card-list">
            {state.cards.map((card) => (
              <li
                key={card.id}
                className={`card-row ${card.expired ? "card-row--expired" : ""}`}
                data-testid="card-row"
                data-default={card.isDefault ? "true" : "false"}
                data-expired={card.expired ? "true" : "false"}
              >
                <div className="card-row__main">
                  <span className="card-row__brand">{brandName(card.brand)}</span>
                  <span className="card-row__number" aria-label={t("cards.endingIn", { last4: card.last4 })}>
                    •••• {card.last4}
                  </span>
                  <span className={`small ${card.expired ? "text-due" : "muted"}`}>
                    {t(card.expired ? "cards.expiredOn" : "cards.expiresOn", { date: expiry(card) })}
                  </span>
                  <span className="card-row__badges">
                    {card.isDefault ? (
                      <span className="badge badge--neutral" data-testid="card-default">
                        {t("cards.default")}
                      </span>
                    ) : null}
                    {card.expired ? (
                      <span className="badge badge--invoice-overdue" data-testid="card-expired">
                        {t("cards.expired")}
                      </span>
                    ) : null}
                    {autopayCardId === card.id ? <span className="badge badge--active">{t("cards.autopay")}</span> : null}
                  </span>
                </div>
                <div className="card-row__actions">
                  {!card.isDefault && !card.expired ? (
                    <button
                      type="button"
                      className="btn btn--secondary btn--small"
                      onClick={() => void makeDefault(card)}
                      disabled={busyCard !== null}
                      data-testid="make-default"
                      aria-label={t("cards.makeDefaultLabel", { brand: brandName(card.brand), last4: card.last4 })}
                    >
                      {busyCard === card.id ? t("common.saving") : t("cards.makeDefault")}
                    </button>
                  ) : null}
                  <button
                    type="button"
                    className="btn btn--ghost btn--small"
                    onClick={() => {
                      setRemoveError(null);
                      setRemoving(card);
                    }}
                    disabled={busyCard !== null}
                    data-testid="remove-card"
                    aria-label={t("cards.removeLabel", { brand: brandName(card.brand), last4: card.last4 })}
                  >
                    {t("team.remove")}
                  </button>
                </div>
                {cardError?.id === card.id ? (
                  <p className="form-error card-row__error" role="alert">
                    {cardError.text}
                  </p>
                ) : null}
              </li>
            ))}
          </ul>
        )}
      </section>

      <section className="card autopay" aria-labelledby={autopayIds.label}>
        <div className="autopay__row">
          <div>
            <h2 id={autopayIds.label} className="card__title">
              {t("cards.autopay")}
            </h2>
            <p id={autopayIds.hint} className="muted">
              {t("cards.autopayHelp")}
            </p>
          </div>
          <label className="switch">
            <input
              type="checkbox"
              role="switch"
              checked={autopayOn}
              disabled={!state || autopayBusy}
              onChange={(e) => void toggleAutopay(e.target.checked)}
              aria-labelledby={autopayIds.label}
              aria-describedby={autopayIds.hint}
              data-testid="autopay-toggle"
            />
            <span className="switch__track" aria-hidden="true">
              <span className="switch__thumb" />
            </span>
            <span className="switch__text">{autopayBusy ? t("common.saving") : autopayOn ? t("cards.on") : t("cards.off")}</span>
          </label>
        </div>
        <p className="form-error" role="alert" aria-live="assertive" data-testid="autopay-error">
          {autopayError ?? ""}
        </p>
      </section>

      <ConfirmDialog
        open={removing !== null}
        title={t("cards.removeTitle")}
        confirmText={t("cards.removeConfirm")}
        busyText={t("cards.removing")}
        busy={removeBusy}
        danger
        error={removeError}
        onConfirm={() => void remove()}
        onCancel={() => setRemoving(null)}
        testId="remove-card-confirm"
      >
        {removing ? (
          <>
            <p>
              {t("cards.willDelete", { card: `${brandName(removing.brand)} •••• ${removing.last4}` })}
            </p>
            {autopayCardId === removing.id ? (
              <p className="muted">
                {t("cards.autopayUses")}
              </p>
            ) : null}
          </>
        ) : null}
      </ConfirmDialog>
    </>
  );
}
