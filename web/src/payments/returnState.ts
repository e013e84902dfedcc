import { compareDecimal, type MoneyValue } from "../format";
import type { PendingKind, PendingPayment } from "./pending";

// The return page's state machine, kept free of React and GraphQL so that it can be tested on its own. It only
// ever confirms on evidence from the server: the invoice read back as PAID, a settlement event for this payment,
// the top-up in the wallet's ledger, or a card that was not there before. Otherwise it keeps waiting, and after
// 30 seconds says so honestly ("slow") — it never shows a success it has not seen.

export type ReturnKind = PendingKind;
export const CONFIRM_TIMEOUT_MS = 30_000;
export const CARD_POLL_MS = 2_000;
/** A ledger entry may be stamped slightly before the browser's clock said the payment started. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;

export interface ServiceLite {
  id: string;
  label: string;
  /** Null while AAA cannot say (it is down). */
  status: string | null;
}

export interface InvoiceLite {
  id: string;
  number: string;
  status: string;
  total: MoneyValue;
  /** The sub-services the invoice is for (its own and its lines'). */
  services: ServiceLite[];
}

export interface SettledLite {
  kind: "INVOICE" | "WALLET_TOPUP";
  amount: MoneyValue;
  invoice: { id: string; number: string; status: string } | null;
  walletBalance: MoneyValue | null;
  reactivated: ServiceLite[];
}

export interface WalletLite {
  balance: MoneyValue;
  transactions: { kind: string; amount: MoneyValue; createdAt: string }[];
}

export interface CardLite {
  id: string;
  brand: string;
  last4: string;
}

export interface ReturnState {
  kind: ReturnKind;
  invoiceId: string | null;
  /** "invoices": the invoices of the checkout (from the pending memory; empty without it). */
  invoiceIds: string[];
  /** "invoices": how many the checkout paid (the return URL's `count`), to confirm without the memory. */
  expectedCount: number;
  /** "invoices": those seen paid so far (settled or read back PAID), in the order seen. */
  paidInvoices: { id: string; number: string }[];
  phase: "waiting" | "confirmed" | "slow";
  amount: MoneyValue | null;
  invoiceNumber: string | null;
  walletBalance: MoneyValue | null;
  card: CardLite | null;
  reactivated: ServiceLite[];
  /** Services suspended for non-payment before paying, or (without that memory) the invoice's services. */
  watchServiceIds: string[];
  /** True when watchServiceIds came from the pending memory (statuses before paying). */
  watchFromMemory: boolean;
  /** Cards known before the new one: from the pending memory, else the first answer. */
  knownCardIds: string[] | null;
  pendingAmount: string | null;
  startedAt: number | null;
}

export type ReturnAction =
  | { type: "invoice"; invoice: InvoiceLite }
  | { type: "settled"; event: SettledLite }
  | { type: "service"; service: ServiceLite }
  | { type: "wallet"; wallet: WalletLite }
  | { type: "cards"; cards: CardLite[] }
  | { type: "timeout" };

export function parseReturnKind(value: string | null): ReturnKind | null {
  return value === "invoice" || value === "invoices" || value === "topup" || value === "card" ? value : null;
}

export function initialReturnState(
  kind: ReturnKind,
  invoiceId: string | null,
  pending: PendingPayment | null,
  expectedCount = 0,
): ReturnState {
  const invoiceIds = kind === "invoices" ? (pending?.invoiceIds ?? []) : [];
  return {
    kind,
    invoiceId,
    invoiceIds,
    expectedCount: invoiceIds.length || expectedCount,
    paidInvoices: [],
    phase: "waiting",
    amount: pending?.amount && pending.currency ? { amount: pending.amount, currency: pending.currency } : null,
    invoiceNumber: pending?.invoiceNumber ?? null,
    walletBalance: null,
    card: null,
    reactivated: [],
    watchServiceIds: pending?.watchServiceIds ?? [],
    watchFromMemory: pending?.watchServiceIds !== undefined,
    knownCardIds: pending?.knownCardIds ?? null,
    pendingAmount: pending?.amount ?? null,
    startedAt: pending?.startedAt ?? null,
  };
}

function addReactivated(list: ServiceLite[], service: ServiceLite): ServiceLite[] {
  return list.some((s) => s.id === service.id) ? list : [...list, service];
}

function confirm(state: ReturnState, patch: Partial<ReturnState>): ReturnState {
  return { ...state, ...patch, phase: "confirmed" };
}

/** "invoices": one more invoice of the checkout seen paid; confirmed once every one of them is. Without the
 * memory of which invoices they were, any invoice settled after the return counts, up to the URL's count. */
function paidOne(state: ReturnState, invoice: { id: string; number: string }, reactivated: ServiceLite[]): ReturnState {
  if (state.invoiceIds.length > 0 && !state.invoiceIds.includes(invoice.id)) return state;
  const known = state.paidInvoices.some((i) => i.id === invoice.id);
  const paidInvoices = known ? state.paidInvoices : [...state.paidInvoices, { id: invoice.id, number: invoice.number }];
  let services = state.reactivated;
  for (const s of reactivated) services = addReactivated(services, s);
  const next = { ...state, paidInvoices, reactivated: services };
  return state.expectedCount > 0 && paidInvoices.length >= state.expectedCount && state.phase !== "confirmed"
    ? confirm(next, {})
    : next;
}

export function returnReducer(state: ReturnState, action: ReturnAction): ReturnState {
  switch (action.type) {
    case "timeout":
      return state.phase === "waiting" ? { ...state, phase: "slow" } : state;

    case "invoice": {
      const inv = action.invoice;
      if (state.kind === "invoices") return inv.status === "PAID" && state.invoiceIds.includes(inv.id) ? paidOne(state, inv, []) : state;
      if (state.kind !== "invoice" || inv.id !== state.invoiceId) return state;
      const next: ReturnState = { ...state, invoiceNumber: inv.number };
      // Without a memory of what was suspended, a plain read cannot tell "active again" from "never suspended":
      // then only events about the invoice's services (they fire on a change) count as reactivations.
      if (!state.watchFromMemory) next.watchServiceIds = inv.services.map((s) => s.id);
      if (inv.status !== "PAID") return next;
      let reactivated = next.reactivated;
      if (state.watchFromMemory) {
        for (const s of inv.services) {
          if (state.watchServiceIds.includes(s.id) && s.status === "ACTIVE") reactivated = addReactivated(reactivated, s);
        }
      }
      return confirm(next, { amount: next.amount ?? inv.total, reactivated });
    }

    case "settled": {
      const e = action.event;
      if (state.kind === "invoices") {
        return e.kind === "INVOICE" && e.invoice ? paidOne(state, e.invoice, e.reactivated) : state;
      }
      if (state.kind === "invoice") {
        if (e.kind !== "INVOICE" || !e.invoice || e.invoice.id !== state.invoiceId) return state;
        let reactivated = state.reactivated;
        for (const s of e.reactivated) reactivated = addReactivated(reactivated, s);
        return confirm(state, { amount: e.amount, invoiceNumber: e.invoice.number, reactivated });
      }
      if (state.kind === "topup") {
        if (e.kind !== "WALLET_TOPUP") return state;
        if (state.pendingAmount && compareDecimal(e.amount.amount, state.pendingAmount) !== 0) return state;
        return confirm(state, { amount: e.amount, walletBalance: e.walletBalance ?? state.walletBalance });
      }
      return state;
    }

    case "service": {
      const s = action.service;
      if (state.kind !== "invoice" || s.status !== "ACTIVE" || !state.watchServiceIds.includes(s.id)) return state;
      return { ...state, reactivated: addReactivated(state.reactivated, s) };
    }

    case "wallet": {
      if (state.kind !== "topup") return state;
      const next = { ...state, walletBalance: action.wallet.balance };
      if (state.phase === "confirmed" || !state.pendingAmount || state.startedAt === null) return next;
      const since = state.startedAt - CLOCK_SKEW_MS;
      const pendingAmount = state.pendingAmount;
      const entry = action.wallet.transactions.find(
        (t) => t.kind === "TOPUP" && compareDecimal(t.amount.amount, pendingAmount) === 0 && Date.parse(t.createdAt) >= since,
      );
      return entry ? confirm(next, { amount: entry.amount }) : next;
    }

    case "cards": {
      if (state.kind !== "card" || state.phase === "confirmed") return state;
      if (state.knownCardIds === null) return { ...state, knownCardIds: action.cards.map((c) => c.id) };
      const known = state.knownCardIds;
      const fresh = action.cards.find((c) => !known.includes(c.id));
      return fresh ? confirm(state, { card: fresh }) : state;
    }
  }
}
