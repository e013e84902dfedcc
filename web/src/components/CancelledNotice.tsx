import { useEffect } from "react";
import { useSearchParams } from "react-router-dom";
import { clearPending, type PendingKind } from "../payments/pending";
import { t } from "../i18n";

/**
 * The gateway sends the browser back with `?cancelled=1` when the subscriber cancels on its hosted page
 * (`/invoices`, `/wallet`, `/payment-methods`): say plainly that nothing was charged.
 */
export function CancelledNotice({ kind = "invoice", extra }: { kind?: PendingKind; extra?: string }) {
  const [params, setParams] = useSearchParams();
  const cancelled = params.get("cancelled") === "1";
  useEffect(() => {
    if (cancelled) clearPending(kind);
  }, [cancelled, kind]);
  if (!cancelled) return null;
  return (
    <div className="banner banner--warning" role="status" data-testid="payment-cancelled">
      <div className="banner__text">
        <strong>{t("payment.cancelled")}</strong>
        {extra ? <span>{extra}</span> : null}
      </div>
      <button
        type="button"
        className="btn btn--ghost btn--small"
        onClick={() => {
          const next = new URLSearchParams(params);
          next.delete("cancelled");
          setParams(next, { replace: true });
        }}
      >
        {t("common.dismiss")}
      </button>
    </div>
  );
}
