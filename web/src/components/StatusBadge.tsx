import type { ServiceStatus, StatusReason, InvoiceStatus } from "../gql/graphql";
import { INVOICE_STATUS_LABEL, label, statusText } from "../labels";
import { t } from "../i18n";

/** A null status means AAA could not say (it is down): shown as such, never as "Active". */
export function StatusBadge({ status, reason }: { status: ServiceStatus | null; reason?: StatusReason | null }) {
  if (status === null) {
    return (
      <span className="badge badge--unknown" data-status="UNKNOWN">
        <span className="badge__dot" aria-hidden="true" />
        {t("status.unavailable")}
      </span>
    );
  }
  return (
    <span className={`badge badge--${status.toLowerCase()}`} data-status={status}>
      <span className="badge__dot" aria-hidden="true" />
      {statusText(status, reason)}
    </span>
  );
}

export function InvoiceBadge({ status, overdue }: { status: InvoiceStatus; overdue?: boolean }) {
  const shown: InvoiceStatus = status === "OPEN" && overdue ? "OVERDUE" : status;
  return <span className={`badge badge--invoice-${shown.toLowerCase()}`}>{label(INVOICE_STATUS_LABEL, shown)}</span>;
}

export function OnlineDot({ online, label: text }: { online: boolean; label?: string }) {
  return (
    <span className={`online ${online ? "online--yes" : "online--no"}`}>
      <span className="online__dot" aria-hidden="true" />
      {text ?? (online ? t("status.online") : t("status.offline"))}
    </span>
  );
}
