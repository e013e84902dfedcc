import type { ServiceStatus, StatusReason, InvoiceStatus } from "../gql/graphql";
import { INVOICE_STATUS_LABEL, label, statusText } from "../labels";

export function StatusBadge({ status, reason }: { status: ServiceStatus; reason?: StatusReason | null }) {
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
      {text ?? (online ? "Online" : "Offline")}
    </span>
  );
}
