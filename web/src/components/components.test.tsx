import { renderToStaticMarkup } from "react-dom/server";
import { MemoryRouter } from "react-router-dom";
import { Client, Provider } from "urql";
import { describe, expect, it } from "vitest";
import type { ReactNode } from "react";
import { FinancialStrip } from "./FinancialStrip";
import { InstallmentRow } from "./InstallmentCard";
import { ShowMore } from "./ShowMore";
import { SubServiceCard } from "./SubServiceCard";
import { UsageChart } from "./UsageChart";

// Static renders of the building blocks with data shaped like the BFF's answers (no browser needed).

const client = new Client({ url: "/graphql", exchanges: [] });
function html(node: ReactNode): string {
  return renderToStaticMarkup(
    <Provider value={client}>
      <MemoryRouter>{node}</MemoryRouter>
    </Provider>,
  );
}
const usd = (amount: string) => ({ __typename: "Money" as const, amount, currency: "USD" });

describe("SubServiceCard", () => {
  it("shows status in words, speed, devices and billing", () => {
    const out = html(
      <SubServiceCard
        service={{
          __typename: "SubService",
          id: "U3ViU2VydmljZTpTUy0xMDAyLTE=",
          label: "Internet – Home",
          location: "4 Mill Road",
          kind: "INTERNET",
          status: "SUSPENDED",
          statusReason: "NON_PAYMENT",
          statusSince: "2026-11-20T06:00:00Z",
          expiresAt: null,
          profile: { __typename: "BandwidthProfile", planName: "Fiber 100", downMbps: 100, upMbps: 20 },
          liveSession: { __typename: "LiveSession", online: false },
          devices: [
            { __typename: "Device", id: "d1", online: false },
            { __typename: "Device", id: "d2", online: true },
          ],
          billing: {
            __typename: "SubServiceBilling",
            prepaid: false,
            outstanding: usd("29.99"),
            cycle: { __typename: "BillingCycle", nextInvoiceOn: "2026-12-01" },
          },
        }}
      />,
    );
    expect(out).toContain('data-testid="subservice-card"');
    expect(out).toContain('data-status="SUSPENDED"');
    expect(out).toContain('data-kind="INTERNET"');
    expect(out).toContain("Suspended — unpaid invoice");
    expect(out).toContain("100/20 Mbps");
    expect(out).toContain("2 devices · 1 online");
    expect(out).toContain("$29.99 outstanding");
    expect(out).toContain('href="/services/U3ViU2VydmljZTpTUy0xMDAyLTE%3D"');
  });
});

describe("FinancialStrip", () => {
  it("calls to action when something is overdue", () => {
    const out = html(
      <FinancialStrip
        summary={{
          __typename: "FinancialSummary",
          outstanding: usd("29.99"),
          overdue: usd("29.99"),
          nextDueOn: "2026-11-13",
          walletBalance: usd("10.00"),
          monthlyCharges: usd("29.99"),
          outstandingOnAccountInvoices: usd("0.00"),
        }}
      />,
    );
    expect(out).toContain('data-testid="financial-summary"');
    expect(out).toContain('data-testid="wallet-balance">$10.00');
    expect(out).toContain("View open invoices");
    expect(out).toContain("fin-strip--overdue");
  });

  it("says all is well when nothing is due", () => {
    const out = html(
      <FinancialStrip
        summary={{
          __typename: "FinancialSummary",
          outstanding: usd("0.00"),
          overdue: usd("0.00"),
          nextDueOn: null,
          walletBalance: usd("250.00"),
          monthlyCharges: usd("1165.00"),
          outstandingOnAccountInvoices: usd("0.00"),
        }}
      />,
    );
    expect(out).toContain("you&#x27;re all set");
    expect(out).not.toContain("View open invoices");
  });
});

describe("FinancialStrip for a SITE user billed on the account's invoice", () => {
  it("says the amount is the sites' share, paid by the account, and links to no empty invoice list", () => {
    const out = html(
      <FinancialStrip
        summary={{
          __typename: "FinancialSummary",
          outstanding: usd("185.06"),
          overdue: usd("0.00"),
          nextDueOn: "2026-12-16",
          walletBalance: null,
          monthlyCharges: usd("233.00"),
          outstandingOnAccountInvoices: usd("185.06"),
        }}
      />,
    );
    expect(out).toContain("$185.06 is due for your sites by Dec 16, 2026");
    expect(out).toContain("consolidated invoice, which the account&#x27;s billing contacts pay");
    expect(out).not.toContain("View open invoices");
  });
});

describe("ShowMore", () => {
  it("counts in the right number", () => {
    const one = html(<ShowMore shown={1} total={1} hasMore={false} loading={false} onMore={() => {}} noun="count.invoices" />);
    expect(one).toContain("1 invoice shown");
    expect(one).not.toContain("invoices");
    const all = html(<ShowMore shown={3} total={3} hasMore={false} loading={false} onMore={() => {}} noun="count.invoices" />);
    expect(all).toContain("All 3 invoices shown");
    const some = html(
      <ShowMore shown={20} total={21} hasMore loading={false} onMore={() => {}} noun="count.transactions" />,
    );
    expect(some).toContain("Showing 20 of 21 transactions");
  });
});

describe("SubServiceCard, prepaid and connected", () => {
  it("shows the last day paid as a date and the connection as its own fact", () => {
    const out = html(
      <SubServiceCard
        service={{
          __typename: "SubService",
          id: "U3ViU2VydmljZTpTUy0xMDAzLTI=",
          label: "VoIP – Home",
          location: "77 Quarry Street",
          kind: "VOIP",
          status: "ACTIVE",
          statusReason: null,
          statusSince: null,
          expiresAt: "2026-12-12T00:00:00+00:00",
          profile: { __typename: "BandwidthProfile", planName: "Home Voice (prepaid)", downMbps: null, upMbps: null },
          liveSession: { __typename: "LiveSession", online: true },
          devices: [{ __typename: "Device", id: "d1", online: true }],
          billing: {
            __typename: "SubServiceBilling",
            prepaid: true,
            outstanding: usd("0.00"),
            cycle: { __typename: "BillingCycle", nextInvoiceOn: "2027-01-01" },
          },
        }}
      />,
    );
    // Tests run in Honolulu (UTC-10): the instant is Dec 11, 2:00 PM there, but the paid day is Dec 11.
    expect(out).toContain("<dt>Prepaid through</dt>");
    expect(out).toContain('data-testid="card-paid-through">Dec 11, 2026<');
    expect(out).not.toContain("12:00");
    expect(out).toContain("<dd>1 device · 1 online</dd>");
    expect(out).toMatch(/<dt>Connection<\/dt><dd data-testid="connection-state"><span class="online online--yes">.*Connected<\/span><\/dd>/);
  });
});

describe("UsageChart", () => {
  it("draws two bars per day with an accessible title and GB totals", () => {
    const days = Array.from({ length: 30 }, (_, i) => ({
      date: `2026-11-${String(i + 1).padStart(2, "0")}`,
      downloadBytes: 10e9 + i * 1e8,
      uploadBytes: 1e9,
    }));
    const out = html(<UsageChart from="2026-11-01" to="2026-11-30" days={days} downloadBytes={343.5e9} uploadBytes={30e9} />);
    expect(out).toContain('data-testid="usage-chart"');
    expect(out.match(/<rect /g)?.length).toBe(60);
    expect(out).toContain("<title");
    expect(out).toContain("344 GB");
    expect(out).toContain("30 GB");
    expect(out).not.toContain("NaN");
  });
});

describe("InstallmentRow", () => {
  it("shows progress and amounts", () => {
    const out = html(
      <ul>
        <InstallmentRow
          plan={{
            __typename: "InstallmentPlan",
            description: "Wi-Fi 6 router",
            total: usd("120.00"),
            paid: usd("40.00"),
            remaining: usd("80.00"),
            amountEach: usd("10.00"),
            installmentsTotal: 12,
            installmentsPaid: 4,
            nextDueOn: "2026-11-30",
            progress: 0.3333,
          }}
        />
      </ul>,
    );
    expect(out).toContain('data-testid="installment-row"');
    expect(out).toContain("4 of 12 installments paid");
    expect(out).toContain("33%");
    expect(out).toContain('<progress class="progress__bar" value="0.3333" max="1"');
  });
});
