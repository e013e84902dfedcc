import type {
  InvoiceStatus,
  Role,
  ServiceKind,
  ServiceStatus,
  StatusReason,
  SubscriberKind,
  WalletTransactionKind,
} from "./gql/graphql";
import { t, type MessageKey } from "./i18n";

// Every enum the subscriber sees, in words: each table maps the GraphQL enum (English codes) to message keys,
// translated by `label()`. Unknown values (a newer BFF) fall back to a readable form of the code.

function humanize(value: string): string {
  const words = value.toLowerCase().replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export const ROLE_LABEL: Record<Role, MessageKey> = {
  OWNER: "role.OWNER",
  MANAGER: "role.MANAGER",
  SITE: "role.SITE",
  FINANCE: "role.FINANCE",
  VIEWER: "role.VIEWER",
};

export const SUBSCRIBER_KIND_LABEL: Record<SubscriberKind, MessageKey> = {
  RESIDENTIAL: "subscriberKind.RESIDENTIAL",
  ENTERPRISE: "subscriberKind.ENTERPRISE",
  MDU: "subscriberKind.MDU",
};

export const SERVICE_KIND_LABEL: Record<ServiceKind, MessageKey> = {
  INTERNET: "serviceKind.INTERNET",
  IPTV: "serviceKind.IPTV",
  VOIP: "serviceKind.VOIP",
};

export const SERVICE_STATUS_LABEL: Record<ServiceStatus, MessageKey> = {
  ACTIVE: "serviceStatus.ACTIVE",
  SUSPENDED: "serviceStatus.SUSPENDED",
  RESTRICTED: "serviceStatus.RESTRICTED",
};

export const INVOICE_STATUS_LABEL: Record<InvoiceStatus, MessageKey> = {
  OPEN: "invoiceStatus.OPEN",
  PAID: "invoiceStatus.PAID",
  OVERDUE: "invoiceStatus.OVERDUE",
  VOID: "invoiceStatus.VOID",
};

export const WALLET_KIND_LABEL: Record<WalletTransactionKind, MessageKey> = {
  TOPUP: "walletKind.TOPUP",
  PROMO: "walletKind.PROMO",
  GIFT_CARD: "walletKind.GIFT_CARD",
  COMPENSATION: "walletKind.COMPENSATION",
  INVOICE_PAYMENT: "walletKind.INVOICE_PAYMENT",
  OVERPAYMENT: "walletKind.OVERPAYMENT",
  RENEWAL: "walletKind.RENEWAL",
  ADD_ON: "walletKind.ADD_ON",
};

export function label<K extends string>(table: Record<K, MessageKey>, value: K | null | undefined): string {
  if (!value) return "";
  const key = table[value];
  return key ? t(key) : humanize(value);
}

/**
 * The status line a subscriber reads on a card: "Active", "Suspended — unpaid invoice", "Suspended by your
 * provider", "Restricted — usage cap reached".
 */
export function statusText(status: ServiceStatus, reason: StatusReason | null | undefined): string {
  const verb = label(SERVICE_STATUS_LABEL, status);
  if (status === "ACTIVE") return verb;
  switch (reason) {
    case "NON_PAYMENT":
    case "ADMINISTRATIVE":
    case "FRAUD":
    case "USAGE_CAP":
    case "CUSTOMER_REQUEST":
      return t(`status.withReason.${reason}`, { status: verb });
    default:
      return verb;
  }
}

/** What the subscriber can do about a non-active status. */
export function statusHint(status: ServiceStatus, reason: StatusReason | null | undefined): string | null {
  if (status === "ACTIVE") return null;
  switch (reason) {
    case "NON_PAYMENT":
    case "USAGE_CAP":
    case "CUSTOMER_REQUEST":
      return t(`status.hint.${reason}`);
    case "ADMINISTRATIVE":
    case "FRAUD":
      return t("status.hint.contact");
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
