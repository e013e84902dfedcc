import { useEffect, useMemo, useState } from "react";
import { useSearchParams } from "react-router-dom";
import { useQuery } from "urql";
import { useViewer } from "../api/auth";
import { usePaginated } from "../api/paginate";
import { useResync } from "../api/useLive";
import { CancelledNotice } from "../components/CancelledNotice";
import { DunningNotice } from "../components/DunningNotice";
import { EmptyState, ErrorBanner, Skeleton } from "../components/Feedback";
import { InvoicePayActions } from "../components/InvoicePayActions";
import { InvoicePdfLink } from "../components/InvoicePdfLink";
import { InvoiceReceiptLinks } from "../components/InvoiceReceiptLinks";
import { MAX_INVOICES_PER_CHECKOUT, MultiPayBar } from "../components/MultiPayBar";
import { PageHeader } from "../components/Layout";
import { ExportCsvButton, ReceiptsSection } from "../components/Receipts";
import { Unavailable } from "../components/Unavailable";
import { onlyOutages, outages } from "../api/outage";
import { ShowMore } from "../components/ShowMore";
import { InvoiceBadge } from "../components/StatusBadge";
import {
  formatDate,
  formatDueIn,
  formatMoney,
  formatPeriod,
  isPositive,
  lastDayCovered,
  billingDay,
  todayIso,
  type MoneyValue,
} from "../format";
import { graphql } from "../gql";
import { t, type MessageKey } from "../i18n";
import type { BillingCyclesQuery, InvoiceRowFragment, InvoicesQuery as InvoicesData, InvoiceStatus } from "../gql/graphql";

export const InvoiceRowFields = graphql(`
  fragment InvoiceRow on Invoice {
    id
    number
    status
    issuedOn
    dueOn
    periodStart
    periodEnd
    total {
      amount
      currency
    }
    balance {
      amount
      currency
    }
    subService {
      id
      label
    }
    pdfUrl
    payments {
      receiptNumber
      receiptUrl
    }
  }
`);

const InvoicesQuery = graphql(`
  query Invoices($first: Int!, $after: String, $status: InvoiceStatus) {
    viewer {
      subscriber {
        id
        invoices(first: $first, after: $after, status: $status) {
          totalCount
          pageInfo {
            hasNextPage
            endCursor
          }
          nodes {
            ...InvoiceRow
          }
        }
      }
    }
  }
`);

const InvoicesWalletQuery = graphql(`
  query InvoicesWallet {
    viewer {
      subscriber {
        id
        wallet {
          balance {
            amount
            currency
          }
        }
      }
    }
  }
`);

const InvoicesOnAccountQuery = graphql(`
  query InvoicesOnAccount {
    viewer {
      subscriber {
        id
        financialSummary {
          outstandingOnAccountInvoices {
            amount
            currency
          }
        }
      }
    }
  }
`);

const BillingCyclesQueryDoc = graphql(`
  query BillingCycles {
    viewer {
      subscriber {
        id
        subServices(first: 100) {
          totalCount
          nodes {
            id
            label
            expiresAt
            billing {
              prepaid
              cycle {
                billingDay
                periodStart
                periodEnd
                nextInvoiceOn
              }
            }
          }
        }
      }
    }
  }
`);

type Tab = "open" | "paid" | "all";
const TABS: { id: Tab; text: MessageKey }[] = [
  { id: "open", text: "invoices.tab.open" },
  { id: "paid", text: "invoices.tab.paid" },
  { id: "all", text: "invoices.tab.all" },
];
const PAGE = 20;

function isOverdue(invoice: InvoiceRowFragment, today: string): boolean {
  return invoice.status === "OVERDUE" || (invoice.status === "OPEN" && invoice.dueOn < today);
}

function isPayable(invoice: InvoiceRowFragment): boolean {
  return (invoice.status === "OPEN" || invoice.status === "OVERDUE") && isPositive(invoice.balance);
}

/** Several invoices ticked for one checkout ("Pay N invoices"). Kept as IDs: a row paid meanwhile (live) simply
 * drops out of the selection, because only payable rows count. "Select all overdue" is a mode: overdue rows that
 * arrive later (the page loads the rest of the overdue list) are ticked too, until one is unticked by hand. */
function useSelection(rows: InvoiceRowFragment[], today: string) {
  const [ids, setIds] = useState<ReadonlySet<string>>(() => new Set());
  const [everyOverdue, setEveryOverdue] = useState(false);
  const payable = rows.filter(isPayable);
  const overdue = payable.filter((r) => isOverdue(r, today));
  const chosen = payable.filter((r) => ids.has(r.id) || (everyOverdue && isOverdue(r, today)));
  const chosenIds = new Set(chosen.map((r) => r.id));
  return {
    chosenIds,
    chosen,
    overdue,
    everyOverdue,
    allOverdue: overdue.length > 0 && overdue.every((r) => chosenIds.has(r.id)),
    toggle: (id: string, on: boolean) => {
      const next = new Set(chosenIds);
      if (on) next.add(id);
      else next.delete(id);
      setEveryOverdue(false);
      setIds(next);
    },
    selectOverdue: (on: boolean) => {
      const next = new Set(chosenIds);
      for (const r of overdue) {
        if (on) next.add(r.id);
        else next.delete(r.id);
      }
      setEveryOverdue(on);
      setIds(next);
    },
    clear: () => {
      setEveryOverdue(false);
      setIds(new Set());
    },
  };
}

export function InvoicesPage() {
  const [params, setParams] = useSearchParams();
  const raw = params.get("tab");
  const tab: Tab = raw === "paid" || raw === "all" ? raw : "open";
  const today = todayIso();

  // The Open tab shows OVERDUE first, then OPEN: two connections, paged one after the other.
  const primaryStatus: InvoiceStatus | null = tab === "open" ? "OVERDUE" : tab === "paid" ? "PAID" : null;
  const select = (d: InvoicesData) => d.viewer?.subscriber.invoices;
  const primary = usePaginated(InvoicesQuery, { first: PAGE, status: primaryStatus }, select);
  const secondary = usePaginated(InvoicesQuery, { first: PAGE, status: "OPEN" }, select, { pause: tab !== "open" });

  const lists = tab === "open" ? [primary, secondary] : [primary];
  const items = lists.flatMap((l) => l.items);
  const loading = lists.some((l) => l.loading);
  const loadingMore = lists.some((l) => l.loadingMore);
  const error = lists.find((l) => l.error)?.error ?? null;
  const total = lists.every((l) => l.totalCount !== null) ? lists.reduce((n, l) => n + (l.totalCount ?? 0), 0) : null;
  const next = lists.find((l) => l.hasNextPage);
  const down = [...new Set(lists.flatMap((l) => outages(l.error)))];

  const [cycles] = useQuery({ query: BillingCyclesQueryDoc });
  // What the viewer's sites owe on invoices their role does not list (SITE users on a consolidated account).
  const [onAccountResult] = useQuery({ query: InvoicesOnAccountQuery });
  const onAccount = onAccountResult.data?.viewer?.subscriber.financialSummary?.outstandingOnAccountInvoices ?? null;

  // Money actions: only for users who may manage billing (the server refuses the others anyway).
  const { canManageBilling } = useViewer();
  const [walletResult, refetchWallet] = useQuery({ query: InvoicesWalletQuery, pause: !canManageBilling });
  const walletBalance = walletResult.data?.viewer?.subscriber.wallet?.balance ?? null;

  // Live: an invoice changed, a payment settled, the wallet moved — the account's events (LiveCacheFeed) update the
  // normalized cache, and the rows and the wallet balance shown here follow it; no copy is patched here.
  const rows = items;
  const selection = useSelection(rows, today);
  // Only where there is a choice to make: two or more invoices to pay.
  const selectable = canManageBilling && tab !== "paid" && rows.filter(isPayable).length > 1;
  // "Select all overdue" on the Open tab (overdue first): load the rest of the overdue list, up to one checkout's worth.
  const overdueList = tab === "open" ? primary : null;
  const wantMore =
    selection.everyOverdue && !!overdueList?.hasNextPage && !overdueList.loadingMore && overdueList.items.length < MAX_INVOICES_PER_CHECKOUT;
  const loadMoreOverdue = overdueList?.loadMore;
  useEffect(() => {
    if (wantMore) loadMoreOverdue?.();
  }, [wantMore, loadMoreOverdue]);
  // How many are overdue: the Open tab's overdue list says, even before all of it is loaded.
  const overdueCount = Math.max(selection.overdue.length, overdueList?.totalCount ?? 0);
  useResync(() => {
    for (const l of lists) l.reload();
    if (canManageBilling) refetchWallet({ requestPolicy: "network-only" });
  });

  return (
    <>
      <PageHeader
        title={t("nav.invoices")}
        subtitle={t("invoices.subtitle")}
        actions={canManageBilling ? <ExportCsvButton kind="invoices" label={t("export.csv")} /> : null}
      />
      <CancelledNotice />
      <DunningNotice showAttempts />
      <BillingCycleInfo data={cycles.data} loading={cycles.fetching} />

      <div
        className="tabs"
        role="tablist"
        aria-label={t("invoices.statusTabs")}
        onKeyDown={(e) => {
          // Arrow keys move between tabs (WAI-ARIA tabs pattern).
          if (e.key !== "ArrowLeft" && e.key !== "ArrowRight") return;
          const i = TABS.findIndex((tb) => tb.id === tab);
          const next = TABS[(i + (e.key === "ArrowRight" ? 1 : TABS.length - 1)) % TABS.length];
          if (!next) return;
          setParams(next.id === "open" ? {} : { tab: next.id }, { replace: true });
          document.getElementById(`tab-${next.id}`)?.focus();
        }}
      >
        {TABS.map((tb) => (
          <button
            key={tb.id}
            type="button"
            role="tab"
            id={`tab-${tb.id}`}
            aria-selected={tab === tb.id}
            aria-controls="invoice-panel"
            tabIndex={tab === tb.id ? 0 : -1}
            className={`tabs__tab ${tab === tb.id ? "tabs__tab--active" : ""}`}
            data-testid={`invoice-tab-${tb.id}`}
            onClick={() => setParams(tb.id === "open" ? {} : { tab: tb.id }, { replace: true })}
          >
            {t(tb.text)}
          </button>
        ))}
      </div>

      <section id="invoice-panel" role="tabpanel" aria-labelledby={`tab-${tab}`} className="section">
        <Unavailable
          backends={down}
          missing={{ billing: "missing.yourInvoices", crm: "missing.invoiceService" }}
        />
        {error && !onlyOutages(error) ? (
          <ErrorBanner
            error={error}
            onRetry={() => {
              for (const l of lists) l.reload();
            }}
          />
        ) : null}
        {loading ? (
          <div className="card">
            <Skeleton lines={5} />
          </div>
        ) : items.length === 0 && !error && tab !== "paid" && isPositive(onAccount) ? (
          <EmptyState title={t("invoices.onAccount.title")}>
            <p data-testid="invoices-on-account">
              {t("invoices.onAccount.body", { amount: formatMoney(onAccount) })}
            </p>
          </EmptyState>
        ) : items.length === 0 && !error ? (
          <EmptyState
            title={tab === "open" ? t("invoices.none.open") : tab === "paid" ? t("invoices.none.paid") : t("invoices.none.all")}
          />
        ) : items.length > 0 ? (
          <>
            {selectable ? (
              <div className="multipay-tools">
                <label className="check" data-testid="select-all-overdue-label">
                  <input
                    type="checkbox"
                    data-testid="select-all-overdue"
                    checked={selection.allOverdue}
                    disabled={selection.overdue.length === 0}
                    onChange={(e) => selection.selectOverdue(e.currentTarget.checked)}
                  />{" "}
                  {overdueCount > 0 ? t("invoices.selectAllOverdueCount", { count: overdueCount }) : t("invoices.selectAllOverdue")}
                </label>
                <span className="muted small">{t("invoices.multiPayHint")}</span>
              </div>
            ) : null}
            <InvoiceTable
              invoices={rows}
              today={today}
              canPay={canManageBilling}
              walletBalance={walletBalance}
              selected={selectable ? selection.chosenIds : null}
              onToggle={selection.toggle}
            />
          </>
        ) : null}
        {!loading ? (
          <ShowMore
            shown={items.length}
            total={total}
            hasMore={!!next}
            loading={loadingMore}
            onMore={() => next?.loadMore()}
            noun="count.invoices"
          />
        ) : null}
        {selectable && selection.chosen.length > 0 ? <MultiPayBar invoices={selection.chosen} onClear={selection.clear} /> : null}
      </section>
      <ReceiptsSection />
    </>
  );
}

function InvoiceTable({
  invoices,
  today,
  canPay,
  walletBalance,
  selected,
  onToggle,
}: {
  invoices: InvoiceRowFragment[];
  today: string;
  canPay: boolean;
  walletBalance: MoneyValue | null;
  /** The ticked invoices when rows can be selected for one payment; null: no checkboxes. */
  selected: ReadonlySet<string> | null;
  onToggle: (id: string, on: boolean) => void;
}) {
  const showService = invoices.some((i) => i.subService);
  const showPay = canPay && invoices.some((i) => i.status === "OPEN" || i.status === "OVERDUE");
  return (
    <div className="table-wrap card card--flush">
      <table className="table table--stack table--invoices">
        <caption className="sr-only">{t("nav.invoices")}</caption>
        <thead>
          <tr>
            {selected ? (
              <th scope="col" className="select-cell">
                <span className="sr-only">{t("invoices.selectToPay")}</span>
              </th>
            ) : null}
            <th scope="col">{t("invoices.col.invoice")}</th>
            {showService ? <th scope="col">{t("invoices.col.service")}</th> : null}
            <th scope="col">{t("invoices.col.period")}</th>
            <th scope="col">{t("invoices.col.issued")}</th>
            <th scope="col">{t("invoices.col.due")}</th>
            <th scope="col" className="num">
              {t("invoices.col.total")}
            </th>
            <th scope="col" className="num">
              {t("invoices.col.balance")}
            </th>
            <th scope="col">{t("invoices.col.status")}</th>
            <th scope="col">
              <span className="sr-only">PDF</span>
            </th>
            {showPay ? (
              <th scope="col">
                <span className="sr-only">{t("invoices.col.pay")}</span>
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody>
          {invoices.map((inv) => {
            const overdue = isOverdue(inv, today);
            const open = inv.status === "OPEN" || inv.status === "OVERDUE";
            return (
              <tr key={inv.id} data-testid="invoice-row" data-status={inv.status} className={overdue ? "row--overdue" : ""}>
                {selected ? (
                  <td data-label={t("invoices.col.select")} className="select-cell">
                    {isPayable(inv) ? (
                      <input
                        type="checkbox"
                        data-testid="invoice-select"
                        checked={selected.has(inv.id)}
                        aria-label={t(overdue ? "invoices.selectOverdueInvoice" : "invoices.selectInvoice", {
                          number: inv.number,
                          amount: formatMoney(inv.balance),
                        })}
                        onChange={(e) => onToggle(inv.id, e.currentTarget.checked)}
                      />
                    ) : null}
                  </td>
                ) : null}
                <td data-label={t("invoices.col.invoice")} className="strong">
                  {inv.number}
                </td>
                {showService ? <td className="cell-service" data-label={t("invoices.col.service")}>{inv.subService?.label ?? t("dashboard.allServices")}</td> : null}
                <td data-label={t("invoices.col.period")}>{formatPeriod(inv.periodStart, inv.periodEnd)}</td>
                <td data-label={t("invoices.col.issued")}>{formatDate(inv.issuedOn)}</td>
                <td data-label={t("invoices.col.due")} className={overdue ? "text-due strong" : ""}>
                  {formatDate(inv.dueOn)}
                  {open ? <span className="small block">{formatDueIn(inv.dueOn, today)}</span> : null}
                </td>
                <td data-label={t("invoices.col.total")} className="num">
                  {formatMoney(inv.total)}
                </td>
                <td data-label={t("invoices.col.balance")} className="num strong">
                  {formatMoney(inv.balance)}
                </td>
                <td data-label={t("invoices.col.status")}>
                  <InvoiceBadge status={inv.status} overdue={overdue} />
                </td>
                <td data-label="PDF">
                  <InvoicePdfLink id={inv.id} number={inv.number} pdfUrl={inv.pdfUrl} />
                  <InvoiceReceiptLinks id={inv.id} payments={inv.payments} />
                </td>
                {showPay ? (
                  <td data-label={t("invoices.col.pay")} className="pay-cell">
                    <InvoicePayActions invoice={inv} walletBalance={walletBalance} />
                  </td>
                ) : null}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

type CycleService = NonNullable<NonNullable<BillingCyclesQuery["viewer"]>["subscriber"]["subServices"]>["nodes"][number];
type CycleBilling = NonNullable<CycleService["billing"]>;

function BillingCycleInfo({ data, loading }: { data: BillingCyclesQuery | undefined; loading: boolean }) {
  const groups = useMemo(() => {
    const services = data?.viewer?.subscriber.subServices?.nodes ?? [];
    const byCycle = new Map<string, { sample: CycleService; billing: CycleBilling; labels: string[] }>();
    for (const s of services) {
      if (!s.billing) continue; // Billing is down: the cycle is not known
      const c = s.billing.cycle;
      // A prepaid service has no invoices: it groups by the last day it is paid for.
      const key = s.billing.prepaid
        ? ["prepaid", lastDayCovered(s.expiresAt)].join("|")
        : [c.billingDay, c.periodStart, c.periodEnd, c.nextInvoiceOn].join("|");
      const group = byCycle.get(key);
      if (group) group.labels.push(s.label);
      else byCycle.set(key, { sample: s, billing: s.billing, labels: [s.label] });
    }
    return [...byCycle.values()];
  }, [data]);

  if (loading && groups.length === 0) {
    return (
      <div className="card cycle">
        <Skeleton lines={1} />
      </div>
    );
  }
  if (groups.length === 0) return null;

  return (
    <section className="card cycle" aria-labelledby="cycle-title" data-testid="billing-cycle">
      <h2 id="cycle-title" className="card__title">
        {t("invoices.cycle")}
      </h2>
      <ul className="plain-list">
        {groups.map(({ sample, billing, labels }) => {
          const c = billing.cycle;
          const who = groups.length === 1 ? null : labels.length <= 3 ? labels.join(", ") : `${labels.slice(0, 3).join(", ")} ${t("incident.andMore", { count: labels.length - 3 })}`;
          return (
            <li key={`${sample.id}`} className="cycle__row">
              {billing.prepaid ? (
                <>
                  <span className="strong">{t("invoices.prepaid")}</span>
                  {sample.expiresAt ? <span>{t("invoices.paidThrough", { date: formatDate(lastDayCovered(sample.expiresAt)) })}</span> : null}
                </>
              ) : (
                <>
                  <span className="strong">{t("invoices.billedMonthly", { day: billingDay(c.billingDay) })}</span>
                  <span>{t("invoices.currentPeriod", { period: formatPeriod(c.periodStart, c.periodEnd) })}</span>
                  <span>{t("invoices.nextInvoice", { date: formatDate(c.nextInvoiceOn) })}</span>
                </>
              )}
              {who ? <span className="muted small">{who}</span> : null}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
