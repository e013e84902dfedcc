import { useRef, useState } from "react";
import { Link } from "react-router-dom";
import { useMutation } from "urql";
import { describeError } from "../api/errors";
import { formatDate, formatMoney, lastDayCovered, type MoneyValue } from "../format";
import { graphql } from "../gql";
import { newIdempotencyKey } from "../money";
import { RENEW_SERVICE, userErrorText } from "../userErrors";
import { t } from "../i18n";
import { rich } from "../i18n/rich";

const RenewServiceMutation = graphql(`
  mutation RenewService($input: RenewServiceInput!) {
    renewService(input: $input) {
      subService {
        id
        expiresAt
        renewable
        renewalPrice {
          amount
          currency
        }
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

/** Prepaid services: pay one more period from the wallet and show the new expiry. */
export function RenewService({
  serviceId,
  renewable,
  renewalPrice,
  onRenewed,
}: {
  serviceId: string;
  renewable: boolean;
  renewalPrice: MoneyValue | null;
  onRenewed?: () => void;
}) {
  const [, renew] = useMutation(RenewServiceMutation);
  const key = useRef<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  async function submit() {
    if (busy) return;
    setBusy(true);
    setError(null);
    setDone(null);
    key.current ??= newIdempotencyKey();
    const result = await renew({ input: { subServiceId: serviceId, idempotencyKey: key.current } });
    setBusy(false);
    const payload = result.data?.renewService;
    if (payload && payload.userErrors.length > 0) {
      key.current = null;
      setError(userErrorText(payload.userErrors, RENEW_SERVICE));
      return;
    }
    if (!payload?.subService) {
      setError(result.error ? t("pay.failedTryAgain", { reason: describeError(result.error).title }) : t("common.pleaseTryAgain"));
      return;
    }
    key.current = null; // renewed: the next click is a new period
    const balance = payload.wallet?.balance;
    setDone(
      [
        t("renew.done", { date: formatDate(lastDayCovered(payload.subService.expiresAt)) }),
        balance ? t("common.walletBalance", { balance: formatMoney(balance) }) : "",
      ]
        .filter(Boolean)
        .join(" "),
    );
    onRenewed?.();
  }

  return (
    <div className="renew">
      {renewable && renewalPrice ? (
        <button type="button" className="btn btn--primary btn--small" onClick={() => void submit()} disabled={busy} data-testid="renew-service">
          {busy ? t("renew.renewing") : t("renew.button", { price: formatMoney(renewalPrice) })}
        </button>
      ) : renewalPrice ? (
        <p className="muted small" data-testid="renew-unavailable">
          {rich("renew.needFunds", { price: formatMoney(renewalPrice), link: <Link to="/wallet">{t("wallet.addFunds")}</Link> })}
        </p>
      ) : null}
      <p className="form-error" role="alert" aria-live="assertive">
        {error ?? ""}
      </p>
      <p className="form-success" role="status" aria-live="polite" data-testid="renew-result">
        {done ?? ""}
      </p>
    </div>
  );
}
