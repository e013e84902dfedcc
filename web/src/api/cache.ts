import { cacheExchange, type Cache, type CacheExchangeOpts, type KeyingConfig } from "@urql/exchange-graphcache";
import type { Exchange, Operation, OperationResult } from "@urql/core";
import { makeSubject, merge } from "wonka";

// One source of truth for everything the portal shows: urql's normalized cache. Entities are stored once, by type
// and id (a Node's global id), so an invoice, a service or a notification read by several pages is the same record:
// a live event or a mutation that carries it updates every card that shows it. What an event does not carry (the
// balance strip, a service's outstanding amount, a filtered list and its count) is invalidated here, in one
// place, and the queries that showed it are fetched again — never patched page by page.

/** Object types without an `id`: stored inside the object that holds them (a Money belongs to its invoice). A
 * test (cache.test.ts) fails when schema.graphql has an object type without an id that is not listed here. */
export const EMBEDDED_TYPES = [
  "AccessLogEntryConnection",
  "AccessLogEntryEdge",
  "AddOn",
  "AddOnOffer",
  "AddOnPurchase",
  "AddPaymentMethodError",
  "AddPaymentMethodPayload",
  "ApplyWalletToInvoiceError",
  "ApplyWalletToInvoicePayload",
  "Autopay",
  "BandwidthProfile",
  "BeginTotpEnrolmentError",
  "BeginTotpEnrolmentPayload",
  "BillingCycle",
  "BuyAddOnError",
  "BuyAddOnPayload",
  "ChangePasswordError",
  "ChangePasswordPayload",
  "ChangePlanError",
  "ChangePlanPayload",
  "ChangeTeamMemberError",
  "ChangeTeamMemberPayload",
  "ChargedCard",
  "CloseTicketError",
  "CloseTicketPayload",
  "ConfirmLoginEmailChangeError",
  "ConfirmLoginEmailChangePayload",
  "ConfirmTotpEnrolmentError",
  "ConfirmTotpEnrolmentPayload",
  "ConnectedHost",
  "DeviceTask",
  "DisableTeamMemberError",
  "DisableTeamMemberPayload",
  "DisableTotpError",
  "DisableTotpPayload",
  "Document",
  "Dunning",
  "FinancialSummary",
  "InstallmentPlan",
  "InviteTeamMemberError",
  "InviteTeamMemberPayload",
  "InvoiceAdjustment",
  "InvoiceConnection",
  "InvoiceEdge",
  "InvoiceLine",
  "InvoiceShare",
  "LiveSession",
  "LoginError",
  "LoginPayload",
  "LogoutPayload",
  "MarkNotificationsReadError",
  "MarkNotificationsReadPayload",
  "Money",
  "NotificationConnection",
  "NotificationEdge",
  "NotificationPreference",
  "OpenTicketError",
  "OpenTicketPayload",
  "PageInfo",
  "PayInvoiceError",
  "PayInvoicePayload",
  "PayInvoicesError",
  "PayInvoicesPayload",
  "Payment",
  "PaymentConnection",
  "PaymentEdge",
  "PaymentAttempt",
  "PaymentSettled",
  "PendingPlanChange",
  "PlanChange",
  "PlanChangePreview",
  "PlanChangePreviewResult",
  "PostalAddress",
  "RateTicketError",
  "RateTicketPayload",
  "RebootDeviceError",
  "RebootDevicePayload",
  "RedeemGiftCardError",
  "RedeemGiftCardPayload",
  "RefreshSessionError",
  "RefreshSessionPayload",
  "RemovePaymentMethodError",
  "RemovePaymentMethodPayload",
  "RemoveTeamMemberError",
  "RemoveTeamMemberPayload",
  "RenewServiceError",
  "RenewServicePayload",
  "ReopenTicketError",
  "ReopenTicketPayload",
  "ReplyToTicketError",
  "ReplyToTicketPayload",
  "RequestLoginEmailChangeError",
  "RequestLoginEmailChangePayload",
  "RequestPasswordResetError",
  "RequestPasswordResetPayload",
  "ResetPasswordError",
  "ResetPasswordPayload",
  "RevokeSessionError",
  "RevokeSessionPayload",
  "SecondFactorChallenge",
  "ServiceIncident",
  "ServicePlan",
  "SetAutopayError",
  "SetAutopayPayload",
  "SetDefaultPaymentMethodError",
  "SetDefaultPaymentMethodPayload",
  "SetLocaleError",
  "SetLocalePayload",
  "SetNotificationPreferencesError",
  "SetNotificationPreferencesPayload",
  "SetWifiSettingsError",
  "SetWifiSettingsPayload",
  "SignOutEverywherePayload",
  "Sla",
  "Statement",
  "StatementLine",
  "SubServiceBilling",
  "SubServiceConnection",
  "SubServiceEdge",
  "SubServiceFinancials",
  "TicketCategoryOption",
  "TicketConnection",
  "TicketEdge",
  "TicketRating",
  "TopUpWalletError",
  "TopUpWalletPayload",
  "TotpEnrolment",
  "UpdateContactDetailsError",
  "UpdateContactDetailsPayload",
  "UpdateMyContactDetailsError",
  "UpdateMyContactDetailsPayload",
  "Usage",
  "UsageDay",
  "VerifySecondFactorError",
  "VerifySecondFactorPayload",
  "Viewer",
  "ViewerProfile",
  "WalletTransactionConnection",
  "WalletTransactionEdge",
  "WifiNetwork",
] as const;

/** The signed-in subscriber's wallet: one per session (a client lives for one login), whichever field read it
 * (`Subscriber.wallet`, `walletChanged`, a top-up's or a gift card's payload). */
export const WALLET_KEY = "Wallet:viewer";

export const KEYS: KeyingConfig = {
  ...Object.fromEntries(EMBEDDED_TYPES.map((t) => [t, () => null])),
  // Its `id` is the id of what it points to (an invoice, a ticket), not its own: it belongs to its notification.
  NotificationLink: () => null,
  Wallet: () => "viewer",
};

// ------------------------------------------------------------------------------------------ what goes stale

/** Every entity key reachable from the root whose type is `typename` (the cache has no index by type). */
export function entitiesOf(cache: Cache, typename: string): string[] {
  const found = new Set<string>();
  const seen = new Set<string>();
  const queue: string[] = ["Query"];
  const visit = (value: unknown) => {
    if (typeof value === "string") {
      if (!seen.has(value) && (value.startsWith(`${typename}:`) || cache.inspectFields(value).length > 0)) {
        seen.add(value);
        queue.push(value);
      }
    } else if (Array.isArray(value)) {
      for (const v of value) visit(v);
    }
  };
  for (let key = queue.shift(); key !== undefined; key = queue.shift()) {
    if (key.startsWith(`${typename}:`)) found.add(key);
    for (const field of cache.inspectFields(key)) {
      visit(cache.resolve(key, field.fieldName, field.arguments ?? undefined));
    }
  }
  return [...found];
}

/** Invalidate `fieldName` of `entity` for every set of arguments it was read with. */
export function invalidateField(
  cache: Cache,
  entity: string,
  fieldName: string,
  only: (args: Record<string, unknown> | null) => boolean = () => true,
): void {
  for (const field of cache.inspectFields(entity)) {
    if (field.fieldName === fieldName && only(field.arguments)) {
      cache.invalidate(entity, field.fieldName, field.arguments ?? undefined);
    }
  }
}

/** The signed-in subscriber's key (`viewer.subscriber`), when it has been read. */
export function subscriberKey(cache: Cache): string | null {
  const viewer = cache.resolve("Query", "viewer");
  if (typeof viewer !== "string") return null;
  const subscriber = cache.resolve(viewer, "subscriber");
  return typeof subscriber === "string" ? subscriber : null;
}

/** Money moved (a payment, a wallet credit or debit, an invoice issued or changed): everything derived from
 * balances is read again — the balance strip, each service's outstanding amount and open invoices, the wallet's
 * history. The invoice itself, when the event carries it, is already updated in place (its row in a list shows
 * the new status and balance); the invoice lists are read again only for an invoice none of them holds yet (one
 * just issued), so that a row does not vanish under the reader's eyes when it is paid. */
export function moneyMoved(cache: Cache, invoice?: string | null): void {
  const subscriber = subscriberKey(cache);
  if (subscriber) {
    for (const field of ["financialSummary", "consolidatedStatement"]) invalidateField(cache, subscriber, field);
    if (invoice && !entitiesOf(cache, "Invoice").includes(invoice)) invalidateField(cache, subscriber, "invoices");
  }
  for (const service of entitiesOf(cache, "SubService")) {
    for (const field of ["billing", "installments", "renewable", "expiresAt"]) invalidateField(cache, service, field);
  }
  invalidateField(cache, WALLET_KEY, "transactions");
}

/** The cache key of the invoice in an event's payload, if it has one. */
function invoiceKey(cache: Cache, value: unknown): string | null {
  return value && typeof value === "object" ? cache.keyOfEntity(value as Parameters<Cache["keyOfEntity"]>[0]) : null;
}

/** The wallet's balance changed (the event carries the new balance, stored on the one wallet): the strip's
 * copy of it and the wallet's history are read again. */
export function walletMoved(cache: Cache): void {
  const subscriber = subscriberKey(cache);
  if (subscriber) invalidateField(cache, subscriber, "financialSummary");
  invalidateField(cache, WALLET_KEY, "transactions");
}

/** A service's status changed (the event carries it, stored on the service): lists filtered by status change. */
export function statusChanged(cache: Cache): void {
  const subscriber = subscriberKey(cache);
  if (subscriber) invalidateField(cache, subscriber, "subServices", (args) => args?.["status"] != null);
}

export const UPDATES: NonNullable<CacheExchangeOpts["updates"]> = {
  Subscription: {
    paymentSettled: (result, _args, cache) => {
      const settled = result["paymentSettled"] as { invoice?: unknown } | null;
      moneyMoved(cache, invoiceKey(cache, settled?.invoice));
      statusChanged(cache); // services it brought back
    },
    invoiceChanged: (result, _args, cache) => moneyMoved(cache, invoiceKey(cache, result["invoiceChanged"])),
    walletChanged: (_result, _args, cache) => walletMoved(cache),
    serviceStatusChanged: (_result, _args, cache) => statusChanged(cache),
    notificationReceived: (_result, _args, cache) => {
      const subscriber = subscriberKey(cache);
      if (subscriber) invalidateField(cache, subscriber, "notifications");
    },
    ticketChanged: (_result, _args, cache) => {
      const subscriber = subscriberKey(cache);
      if (subscriber) invalidateField(cache, subscriber, "tickets");
    },
  },
  Mutation: {
    applyWalletToInvoice: (_result, _args, cache) => moneyMoved(cache),
    redeemGiftCard: (_result, _args, cache) => walletMoved(cache),
    renewService: (_result, _args, cache) => moneyMoved(cache),
    markNotificationsRead: (_result, _args, cache) => {
      const subscriber = subscriberKey(cache);
      if (subscriber) invalidateField(cache, subscriber, "notifications");
    },
  },
};

export function portalCacheExchange(): Exchange {
  return cacheExchange({ keys: KEYS, updates: UPDATES });
}

/** Results that did not come from a request of this client (the live events, which arrive over the socket that
 * `LiveConnection` manages) put into the exchange chain below the cache, so that the cache stores them like any
 * other result: `liveResults.exchange` goes right after the cache exchange, `push` hands it an event. */
export function liveResultsExchange(): { exchange: Exchange; push(operation: Operation, data: unknown): void } {
  const subject = makeSubject<OperationResult>();
  return {
    exchange:
      ({ forward }) =>
      (operations$) =>
        merge([forward(operations$), subject.source]),
    push(operation, data) {
      subject.next({ operation, data: data as OperationResult["data"], error: undefined, stale: false, hasNext: false });
    },
  };
}
