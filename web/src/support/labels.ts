import type { TicketCategory, TicketEventKind, TicketStatus } from "../gql/graphql";

export const TICKET_STATUS_LABEL: Record<TicketStatus, string> = {
  OPEN: "Open",
  IN_PROGRESS: "In progress",
  WAITING_ON_CUSTOMER: "Waiting for you",
  RESOLVED: "Resolved",
  CLOSED: "Closed",
};

export const TICKET_CATEGORY_LABEL: Record<TicketCategory, string> = {
  CONNECTIVITY: "Internet or Wi-Fi",
  BILLING: "Billing",
  DEVICE: "Device",
  INSTALLATION: "Installation",
  OTHER: "Other",
};

export function eventText(e: {
  kind: TicketEventKind;
  actorName: string;
  fromStatus?: string | null;
  toStatus?: string | null;
  detail?: string | null;
}): string {
  const status = (s?: string | null) => (s ? (TICKET_STATUS_LABEL[s as TicketStatus] ?? s) : "");
  switch (e.kind) {
    case "CREATED":
      return `${e.actorName} opened the ticket`;
    case "ASSIGNED":
      return `Assigned to ${e.detail ?? "support"}`;
    case "REPLIED":
      return `${e.actorName} replied`;
    case "STATUS_CHANGED":
      return `${e.actorName}: ${status(e.fromStatus)} → ${status(e.toStatus)}`;
    case "ATTACHMENT_ADDED":
      return `${e.actorName} attached ${e.detail ?? "a file"}`;
    case "REOPENED":
      return `${e.actorName} reopened the ticket`;
    case "RATED":
      return `${e.actorName} rated the help ${e.detail ?? ""}`;
    default:
      return e.kind;
  }
}

export function isDone(status: TicketStatus): boolean {
  return status === "RESOLVED" || status === "CLOSED";
}
