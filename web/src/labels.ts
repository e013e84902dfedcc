import type {
  InvoiceStatus,
  Role,
  ServiceKind,
  ServiceStatus,
  StatusReason,
  SubscriberKind,
  WalletTransactionKind,
} from "./gql/graphql";

// Every enum the subscriber sees, in words. Unknown values (a newer BFF) fall back to a readable form.

function humanize(value: string): string {
  const words = value.toLowerCase().replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export const ROLE_LABEL: Record<Role, string> = {
  OWNER: "Owner",
  MANAGER: "Manager",
  SITE: "Site contact",
  FINANCE: "Finance",
  VIEWER: "Viewer (read-only)",
};

export const SUBSCRIBER_KIND_LABEL: Record<SubscriberKind, string> = {
  RESIDENTIAL: "Residential",
  ENTERPRISE: "Enterprise",
  MDU: "Multi-dwelling unit",
};

export const SERVICE_KIND_LABEL: Record<ServiceKind, string> = {
  INTERNET: "Internet",
  IPTV: "IPTV",
  VOIP: "VoIP",
};

export const SERVICE_STATUS_LABEL: Record<ServiceStatus, string> = {
  ACTIVE: "Active",
  SUSPENDED: "Suspended",
  RESTRICTED: "Restricted",
};

export const INVOICE_STATUS_LABEL: Record<InvoiceStatus, string> = {
  OPEN: "Open",
  PAID: "Paid",
  OVERDUE: "Overdue",
  VOID: "Void",
};

export const WALLET_KIND_LABEL: Record<WalletTransactionKind, string> = {
  TOPUP: "Wallet top-up",
  PROMO: "Promotional credit",
  GIFT_CARD: "Gift card",
  COMPENSATION: "Compensation adjustment",
  INVOICE_PAYMENT: "Invoice payment",
  OVERPAYMENT: "Overpayment credit",
  RENEWAL: "Service renewal",
  ADD_ON: "Add-on",
};

export function label<K extends string>(table: Record<K, string>, value: K | null | undefined): string {
  if (!value) return "";
  return table[value] ?? humanize(value);
}

/**
 * The status line a subscriber reads on a card: "Active", "Suspended — unpaid invoice", "Suspended by your
 * provider", "Restricted — usage cap reached".
 */
export function statusText(status: ServiceStatus, reason: StatusReason | null | undefined): string {
  if (status === "ACTIVE") return "Active";
  const verb = label(SERVICE_STATUS_LABEL, status);
  switch (reason) {
    case "NON_PAYMENT":
      return `${verb} — unpaid invoice`;
    case "ADMINISTRATIVE":
      return `${verb} by your provider`;
    case "FRAUD":
      return `${verb} — security review`;
    case "USAGE_CAP":
      return `${verb} — usage cap reached`;
    case "CUSTOMER_REQUEST":
      return `${verb} at your request`;
    default:
      return verb;
  }
}

/** What the subscriber can do about a non-active status. */
export function statusHint(status: ServiceStatus, reason: StatusReason | null | undefined): string | null {
  if (status === "ACTIVE") return null;
  switch (reason) {
    case "NON_PAYMENT":
      return "Paying the overdue invoice reactivates this service automatically.";
    case "ADMINISTRATIVE":
    case "FRAUD":
      return "Please contact your provider to restore this service.";
    case "USAGE_CAP":
      return "Full speed returns at the start of your next billing period.";
    case "CUSTOMER_REQUEST":
      return "Ask your provider to resume the service when you are ready.";
    default:
      return null;
  }
}

const CARD_BRANDS: Record<string, string> = {
  visa: "Visa",
  mastercard: "Mastercard",
  amex: "American Express",
  discover: "Discover",
  diners: "Diners Club",
  jcb: "JCB",
  unionpay: "UnionPay",
};

/** "visa" → "Visa" (the gateway reports brands in lower case). */
export function brandName(brand: string): string {
  return CARD_BRANDS[brand.toLowerCase()] ?? humanize(brand);
}
