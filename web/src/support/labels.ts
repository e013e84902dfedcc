import type { TicketCategory, TicketEventKind, TicketStatus } from "../gql/graphql";
import { t, type MessageKey } from "../i18n";
import { label } from "../labels";

export const TICKET_STATUS_LABEL: Record<TicketStatus, MessageKey> = {
  OPEN: "ticketStatus.OPEN",
  IN_PROGRESS: "ticketStatus.IN_PROGRESS",
  WAITING_ON_CUSTOMER: "ticketStatus.WAITING_ON_CUSTOMER",
  RESOLVED: "ticketStatus.RESOLVED",
  CLOSED: "ticketStatus.CLOSED",
};

export const TICKET_CATEGORY_LABEL: Record<TicketCategory, MessageKey> = {
  CONNECTIVITY: "ticketCategory.CONNECTIVITY",
  BILLING: "ticketCategory.BILLING",
  DEVICE: "ticketCategory.DEVICE",
  INSTALLATION: "ticketCategory.INSTALLATION",
  OTHER: "ticketCategory.OTHER",
};

export function eventText(e: {
  kind: TicketEventKind;
  actorName: string;
  fromStatus?: string | null;
  toStatus?: string | null;
  detail?: string | null;
}): string {
  const status = (s?: string | null) => label(TICKET_STATUS_LABEL, s as TicketStatus | null);
  const actor = e.actorName;
  switch (e.kind) {
    case "CREATED":
    case "REPLIED":
    case "REOPENED":
      return t(`ticketEvent.${e.kind}`, { actor });
    case "ASSIGNED":
      return t("ticketEvent.ASSIGNED", { team: e.detail ?? t("ticketEvent.support") });
    case "STATUS_CHANGED":
      return `${actor}: ${status(e.fromStatus)} → ${status(e.toStatus)}`;
    case "ATTACHMENT_ADDED":
      return t("ticketEvent.ATTACHMENT_ADDED", { actor, file: e.detail ?? t("ticketEvent.aFile") });
    case "RATED":
      return t("ticketEvent.RATED", { actor, rating: e.detail ?? "" }).trim();
    default:
      return e.kind;
  }
}

export function isDone(status: TicketStatus): boolean {
  return status === "RESOLVED" || status === "CLOSED";
}
