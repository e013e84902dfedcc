// What the portal remembers about a payment it sent to the gateway, for the return page: the amount, which
// services were suspended for non-payment (to say which came back), which cards existed (to spot the new one).
// Kept in sessionStorage (this tab only, gone when it closes); the page works without it, just less precisely.

export type PendingKind = "invoice" | "invoices" | "topup" | "card";

export interface PendingPayment {
  kind: PendingKind;
  startedAt: number;
  invoiceId?: string;
  invoiceNumber?: string;
  amount?: string;
  currency?: string;
  /** Sub-services on the invoice that were suspended/restricted for non-payment when "Pay now" was clicked. */
  watchServiceIds?: string[];
  /** Several invoices in one checkout ("Pay N invoices"): their IDs and numbers, in order. */
  invoiceIds?: string[];
  invoiceNumbers?: string[];
  /** Saved cards before "Add a card". */
  knownCardIds?: string[];
}

const PREFIX = "wg.pending.";
const MAX_AGE_MS = 2 * 60 * 60 * 1000;

function storage(): Storage | null {
  try {
    return typeof sessionStorage === "undefined" ? null : sessionStorage;
  } catch {
    return null; // storage disabled
  }
}

export function savePending(pending: PendingPayment): void {
  try {
    storage()?.setItem(PREFIX + pending.kind, JSON.stringify(pending));
  } catch {
    // quota or privacy mode: the return page copes without it
  }
}

export function loadPending(kind: PendingKind, invoiceId?: string | null, now: number = Date.now()): PendingPayment | null {
  try {
    const raw = storage()?.getItem(PREFIX + kind);
    if (!raw) return null;
    const pending = JSON.parse(raw) as PendingPayment;
    if (pending.kind !== kind || now - pending.startedAt > MAX_AGE_MS) return null;
    if (kind === "invoice" && invoiceId && pending.invoiceId !== invoiceId) return null;
    return pending;
  } catch {
    return null;
  }
}

export function clearPending(kind: PendingKind): void {
  try {
    storage()?.removeItem(PREFIX + kind);
  } catch {
    // ignore
  }
}
