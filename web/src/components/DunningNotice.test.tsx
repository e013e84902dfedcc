import { renderToStaticMarkup } from "react-dom/server";
import { Client, Provider } from "urql";
import { describe, expect, it } from "vitest";
import type { DeclinedInvoiceFragment } from "../gql/graphql";
import { setCurrentLocale } from "../i18n";
import { DeclinedInvoiceNotice } from "./DunningNotice";

const client = new Client({ url: "/graphql", exchanges: [] });

const invoice: DeclinedInvoiceFragment = {
  __typename: "Invoice",
  id: "SW52b2ljZTppbnZfMDAwMDAwNA",
  number: "INV-2026-11-0004",
  status: "OPEN",
  balance: { __typename: "Money", amount: "92.97", currency: "USD" },
  dunning: {
    __typename: "Dunning",
    state: "RETRYING",
    nextRetryOn: "2026-11-28",
    suspendsOn: "2026-12-08",
    lastDeclinedAt: "2026-11-26T06:00:00Z",
    attempts: [
      { __typename: "PaymentAttempt", at: "2026-11-25T06:00:00Z", retry: 0, outcome: "DECLINED", declineReason: "GENERIC" },
      { __typename: "PaymentAttempt", at: "2026-11-26T06:00:00Z", retry: 1, outcome: "DECLINED", declineReason: "EXPIRED_CARD" },
    ],
  },
};

function html(canPay: boolean, showAttempts = true): string {
  return renderToStaticMarkup(
    <Provider value={client}>
      <DeclinedInvoiceNotice invoice={invoice} showAttempts={showAttempts} canPay={canPay} />
    </Provider>,
  );
}

describe("DeclinedInvoiceNotice", () => {
  it("tells when the card was declined and when the retry is, with every attempt and the one step", () => {
    const out = html(true);
    expect(out).toContain('data-testid="dunning-notice"');
    expect(out).toContain('data-state="RETRYING"');
    expect(out).toContain("Your card was declined on Nov 26, 2026 for invoice INV-2026-11-0004 ($92.97): the card has expired.");
    expect(out).toContain("We&#x27;ll retry on Nov 28, 2026.");
    expect(out.match(/data-testid="dunning-attempt"/g)).toHaveLength(2);
    expect(out).toContain("retry 1 — the card has expired");
    expect(out).toContain('data-testid="update-card-and-pay"');
    expect(out).toContain("Update card and pay");
  });

  it("reads the same without the button for roles that may not pay, and without the list on the dashboard", () => {
    const out = html(false, false);
    expect(out).toContain("We&#x27;ll retry on Nov 28, 2026.");
    expect(out).not.toContain("update-card-and-pay");
    expect(out).not.toContain("dunning-attempt");
  });

  it("speaks the language on screen: the notice, every attempt and the button", () => {
    try {
      setCurrentLocale("pt");
      const out = html(true);
      expect(out).toContain("Seu cartão foi recusado em 26 de nov. de 2026 na fatura INV-2026-11-0004 (US$\u00a092,97): o cartão está vencido.");
      expect(out).toContain("25 de nov. de 2026: cobrança — recusado pelo banco");
      expect(out).toContain("26 de nov. de 2026: nova tentativa 1 — o cartão está vencido");
      expect(out).toContain('aria-label="Atualizar o cartão e pagar a fatura INV-2026-11-0004"');
      expect(out).toContain("Atualizar cartão e pagar");
      expect(out).not.toContain("retry");
    } finally {
      setCurrentLocale("en");
    }
  });
});
