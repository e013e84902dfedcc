import { describe, expect, it } from "vitest";
import type { PendingPayment } from "./pending";
import { initialReturnState, parseReturnKind, returnReducer, type ReturnAction, type ReturnState } from "./returnState";

const usd = (amount: string) => ({ amount, currency: "USD" });
const run = (state: ReturnState, ...actions: ReturnAction[]) => actions.reduce(returnReducer, state);

const INV = "SW52b2ljZTpJTlYtMQ==";
const pendingInvoice: PendingPayment = {
  kind: "invoice",
  startedAt: Date.parse("2026-11-25T10:00:00Z"),
  invoiceId: INV,
  invoiceNumber: "INV-1002-11",
  amount: "29.99",
  currency: "USD",
  watchServiceIds: ["svc-home"],
};

const openInvoice = {
  id: INV,
  number: "INV-1002-11",
  status: "OVERDUE",
  total: usd("29.99"),
  services: [{ id: "svc-home", label: "Internet – Home", status: "SUSPENDED" }],
};

describe("parseReturnKind", () => {
  it("accepts only the four kinds", () => {
    expect(parseReturnKind("invoice")).toBe("invoice");
    expect(parseReturnKind("card")).toBe("card");
    expect(parseReturnKind("invoices")).toBe("invoices");
    expect(parseReturnKind("INVOICE")).toBeNull();
    expect(parseReturnKind(null)).toBeNull();
  });
});

describe("invoice return", () => {
  it("keeps waiting while the invoice is still open, then says so honestly after the timeout", () => {
    const s = run(initialReturnState("invoice", INV, pendingInvoice), { type: "invoice", invoice: openInvoice }, { type: "timeout" });
    expect(s.phase).toBe("slow");
    expect(s.amount).toEqual(usd("29.99"));
  });

  it("confirms when the invoice reads back PAID (webhook before the socket) and names the reactivated service", () => {
    const s = run(initialReturnState("invoice", INV, pendingInvoice), {
      type: "invoice",
      invoice: { ...openInvoice, status: "PAID", services: [{ id: "svc-home", label: "Internet – Home", status: "ACTIVE" }] },
    });
    expect(s.phase).toBe("confirmed");
    expect(s.invoiceNumber).toBe("INV-1002-11");
    expect(s.amount).toEqual(usd("29.99"));
    expect(s.reactivated.map((r) => r.label)).toEqual(["Internet – Home"]);
  });

  it("confirms on the settlement event for this invoice only", () => {
    const other = run(initialReturnState("invoice", INV, null), {
      type: "settled",
      event: { kind: "INVOICE", amount: usd("10.00"), invoice: { id: "other", number: "X", status: "PAID" }, walletBalance: null, reactivated: [] },
    });
    expect(other.phase).toBe("waiting");
    const topup = run(other, {
      type: "settled",
      event: { kind: "WALLET_TOPUP", amount: usd("10.00"), invoice: null, walletBalance: usd("10.00"), reactivated: [] },
    });
    expect(topup.phase).toBe("waiting");
    const mine = run(topup, { type: "timeout" }, {
      type: "settled",
      event: {
        kind: "INVOICE",
        amount: usd("29.99"),
        invoice: { id: INV, number: "INV-1002-11", status: "PAID" },
        walletBalance: null,
        reactivated: [{ id: "svc-home", label: "Internet – Home", status: "ACTIVE" }],
      },
    });
    expect(mine.phase).toBe("confirmed"); // a late confirmation still wins over "slow"
    expect(mine.amount).toEqual(usd("29.99"));
    expect(mine.reactivated).toHaveLength(1);
  });

  it("adds services reported active again by serviceStatusChanged, once, and ignores unrelated ones", () => {
    const s = run(
      initialReturnState("invoice", INV, pendingInvoice),
      { type: "service", service: { id: "svc-home", label: "Internet – Home", status: "ACTIVE" } },
      { type: "service", service: { id: "svc-home", label: "Internet – Home", status: "ACTIVE" } },
      { type: "service", service: { id: "svc-tv", label: "IPTV", status: "ACTIVE" } },
      { type: "service", service: { id: "svc-home", label: "Internet – Home", status: "SUSPENDED" } },
    );
    expect(s.reactivated.map((r) => r.id)).toEqual(["svc-home"]);
  });

  it("without a memory of the payment, never claims a reactivation from a plain read", () => {
    const s = run(initialReturnState("invoice", INV, null), {
      type: "invoice",
      invoice: { ...openInvoice, status: "PAID", services: [{ id: "svc-home", label: "Internet – Home", status: "ACTIVE" }] },
    });
    expect(s.phase).toBe("confirmed");
    expect(s.amount).toEqual(usd("29.99")); // the invoice total
    expect(s.reactivated).toEqual([]);
    // ...but an event about one of the invoice's services does count
    const after = run(s, { type: "service", service: { id: "svc-home", label: "Internet – Home", status: "ACTIVE" } });
    expect(after.reactivated).toHaveLength(1);
  });
});

describe("top-up return", () => {
  const started = Date.parse("2026-11-25T10:00:00Z");
  const pending: PendingPayment = { kind: "topup", startedAt: started, amount: "25.00", currency: "USD" };

  it("confirms from the ledger only with a matching top-up made after the payment started", () => {
    const base = initialReturnState("topup", null, pending);
    const old = run(base, {
      type: "wallet",
      wallet: {
        balance: usd("25.00"),
        transactions: [
          { kind: "TOPUP", amount: usd("25.00"), createdAt: "2026-11-20T10:00:00Z" },
          { kind: "GIFT_CARD", amount: usd("25.00"), createdAt: "2026-11-25T10:01:00Z" },
          { kind: "TOPUP", amount: usd("20.00"), createdAt: "2026-11-25T10:01:00Z" },
        ],
      },
    });
    expect(old.phase).toBe("waiting");
    expect(old.walletBalance).toEqual(usd("25.00"));
    const s = run(old, {
      type: "wallet",
      wallet: { balance: usd("50.00"), transactions: [{ kind: "TOPUP", amount: usd("25"), createdAt: "2026-11-25T10:01:00Z" }] },
    });
    expect(s.phase).toBe("confirmed");
    expect(s.walletBalance).toEqual(usd("50.00"));
  });

  it("confirms on a settlement event of the same amount, with the new balance", () => {
    const base = initialReturnState("topup", null, pending);
    const wrong = run(base, {
      type: "settled",
      event: { kind: "WALLET_TOPUP", amount: usd("40.00"), invoice: null, walletBalance: usd("40.00"), reactivated: [] },
    });
    expect(wrong.phase).toBe("waiting");
    const s = run(wrong, {
      type: "settled",
      event: { kind: "WALLET_TOPUP", amount: usd("25.00"), invoice: null, walletBalance: usd("75.00"), reactivated: [] },
    });
    expect(s).toMatchObject({ phase: "confirmed", amount: usd("25.00"), walletBalance: usd("75.00") });
  });

  it("cannot confirm from the ledger without knowing the amount", () => {
    const s = run(initialReturnState("topup", null, null), {
      type: "wallet",
      wallet: { balance: usd("25.00"), transactions: [{ kind: "TOPUP", amount: usd("25.00"), createdAt: new Date().toISOString() }] },
    });
    expect(s.phase).toBe("waiting");
  });
});

describe("card return", () => {
  const visa = { id: "pm1", brand: "visa", last4: "4242" };
  const mc = { id: "pm2", brand: "mastercard", last4: "4444" };

  it("confirms when a card appears that was not there before", () => {
    const pending: PendingPayment = { kind: "card", startedAt: 0, knownCardIds: ["pm1"] };
    const waiting = run(initialReturnState("card", null, pending), { type: "cards", cards: [visa] });
    expect(waiting.phase).toBe("waiting");
    const s = run(waiting, { type: "cards", cards: [visa, mc] });
    expect(s).toMatchObject({ phase: "confirmed", card: mc });
  });

  it("without a memory, the first answer is the baseline", () => {
    const first = run(initialReturnState("card", null, null), { type: "cards", cards: [visa] });
    expect(first.phase).toBe("waiting");
    expect(run(first, { type: "cards", cards: [visa, mc] }).card).toEqual(mc);
  });

  it("times out to the honest message and ignores payment events", () => {
    const s = run(
      initialReturnState("card", null, { kind: "card", startedAt: 0, knownCardIds: [] }),
      { type: "settled", event: { kind: "INVOICE", amount: usd("1.00"), invoice: null, walletBalance: null, reactivated: [] } },
      { type: "cards", cards: [] },
      { type: "timeout" },
    );
    expect(s.phase).toBe("slow");
  });
});

describe("several invoices' return", () => {
  const pending: PendingPayment = {
    kind: "invoices",
    startedAt: Date.parse("2026-11-25T10:00:00Z"),
    invoiceIds: ["A", "B"],
    invoiceNumbers: ["INV-A", "INV-B"],
    amount: "59.98",
    currency: "USD",
  };
  const settled = (id: string, number: string): ReturnAction => ({
    type: "settled",
    event: { kind: "INVOICE", amount: usd("29.99"), invoice: { id, number, status: "PAID" }, walletBalance: null, reactivated: [] },
  });

  it("confirms only when every invoice of the checkout is paid, ignoring others", () => {
    const one = run(initialReturnState("invoices", null, pending, 2), settled("A", "INV-A"), settled("X", "INV-X"));
    expect(one.phase).toBe("waiting");
    expect(one.paidInvoices).toEqual([{ id: "A", number: "INV-A" }]);
    const both = run(one, settled("A", "INV-A"), {
      type: "invoice",
      invoice: { id: "B", number: "INV-B", status: "PAID", total: usd("29.99"), services: [] },
    });
    expect(both.phase).toBe("confirmed");
    expect(both.amount).toEqual(usd("59.98"));
    expect(both.paidInvoices.map((i) => i.number)).toEqual(["INV-A", "INV-B"]);
  });

  it("without the memory, counts settled invoices up to the return URL's count", () => {
    const s = run(initialReturnState("invoices", null, null, 2), settled("A", "INV-A"), settled("B", "INV-B"));
    expect(s.phase).toBe("confirmed");
    expect(run(initialReturnState("invoices", null, null, 0), settled("A", "INV-A")).phase).toBe("waiting");
  });
});
