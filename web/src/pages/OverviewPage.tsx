import { useMemo, useState } from "react";
import { Link } from "react-router-dom";
import { useClient, useQuery } from "urql";
import { useViewer } from "../api/auth";
import { FinancialStrip } from "../components/FinancialStrip";
import { EmptyState, ErrorBanner, Skeleton } from "../components/Feedback";
import { DownloadIcon, ServiceKindIcon } from "../components/Icons";
import { isMultiSite, PageHeader } from "../components/Layout";
import { Unavailable } from "../components/Unavailable";
import { onlyOutages, outages } from "../api/outage";
import { SignedLink } from "../components/SignedLink";
import { StatusBadge } from "../components/StatusBadge";
import { servicePath } from "../components/SubServiceCard";
import { compareDecimal, formatMoney, isPositive } from "../format";
import { graphql } from "../gql";
import type { OverviewQuery } from "../gql/graphql";
import { label, SERVICE_KIND_LABEL } from "../labels";

const OverviewQueryDoc = graphql(`
  query Overview {
    viewer {
      subscriber {
        id
        financialSummary {
          ...FinancialStrip
          breakdown {
            outstanding {
              amount
              currency
            }
            monthlyCharge {
              amount
              currency
            }
            openInvoiceCount
            subService {
              id
              label
              location
              kind
              status
              statusReason
            }
          }
        }
      }
    }
  }
`);

// Asked separately so that a statement problem never hides the figures (and so a fresh link can be fetched).
const StatementQuery = graphql(`
  query ConsolidatedStatement {
    viewer {
      subscriber {
        id
        consolidatedStatement {
          url
          filename
          expiresAt
        }
      }
    }
  }
`);

type Row = NonNullable<NonNullable<NonNullable<OverviewQuery["viewer"]>["subscriber"]["financialSummary"]>["breakdown"]>[number];
type SortKey = "outstanding" | "monthly" | "label" | "invoices";

function compareRows(a: Row, b: Row, key: SortKey): number {
  switch (key) {
    case "outstanding":
      return compareDecimal(a.outstanding.amount, b.outstanding.amount);
    case "monthly":
      return compareDecimal(a.monthlyCharge.amount, b.monthlyCharge.amount);
    case "invoices":
      return a.openInvoiceCount - b.openInvoiceCount;
    case "label":
      return a.subService.label.localeCompare(b.subService.label, undefined, { numeric: true });
  }
}

export function OverviewPage() {
  const viewer = useViewer();
  const client = useClient();
  const [result, refetch] = useQuery({ query: OverviewQueryDoc });
  const [statement, refetchStatement] = useQuery({ query: StatementQuery });
  const [sort, setSort] = useState<{ key: SortKey; desc: boolean }>({ key: "outstanding", desc: true });
  const [filter, setFilter] = useState("");

  const summary = result.data?.viewer?.subscriber.financialSummary;
  const rows = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    const all = (summary?.breakdown ?? []).filter(
      (r) => !needle || `${r.subService.label} ${r.subService.location}`.toLowerCase().includes(needle),
    );
    return [...all].sort((a, b) => {
      const c = compareRows(a, b, sort.key) || a.subService.label.localeCompare(b.subService.label, undefined, { numeric: true });
      return sort.desc ? -c : c;
    });
  }, [summary, sort, filter]);

  if (!isMultiSite(viewer.subscriber.kind)) {
    return (
      <>
        <PageHeader title="Account overview" />
        <EmptyState title="The account overview is for business and multi-unit accounts">
          <Link to="/" className="btn btn--secondary">
            Go to your dashboard
          </Link>
        </EmptyState>
      </>
    );
  }

  const doc = statement.data?.viewer?.subscriber.consolidatedStatement;
  const statementAction = doc ? (
    <SignedLink
      href={doc.url}
      filename={doc.filename}
      expiresAt={doc.expiresAt}
      className="btn btn--primary"
      testId="statement-link"
      refresh={async () => {
        const fresh = await client.query(StatementQuery, {}, { requestPolicy: "network-only" }).toPromise();
        return fresh.data?.viewer?.subscriber.consolidatedStatement?.url ?? null;
      }}
    >
      <DownloadIcon />
      <span>Download consolidated statement</span>
    </SignedLink>
  ) : statement.fetching ? (
    <button type="button" className="btn btn--primary" disabled>
      <DownloadIcon />
      <span>Preparing statement…</span>
    </button>
  ) : null;

  const header = (key: SortKey, text: string, numeric = false) => {
    const active = sort.key === key;
    return (
      <th scope="col" className={numeric ? "num" : ""} aria-sort={active ? (sort.desc ? "descending" : "ascending") : "none"}>
        <button
          type="button"
          className="sort"
          data-testid={`sort-${key}`}
          onClick={() => setSort((s) => ({ key, desc: s.key === key ? !s.desc : key !== "label" }))}
        >
          {text}
          <span className="sort__arrow" aria-hidden="true">
            {active ? (sort.desc ? "▼" : "▲") : "↕"}
          </span>
        </button>
      </th>
    );
  };

  return (
    <>
      <PageHeader
        title="Account overview"
        subtitle={viewer.subscriber.name ? `All ${viewer.subscriber.name} services at a glance.` : "All your services at a glance."}
        actions={statementAction}
      />
      {statement.error && !onlyOutages(statement.error) ? (
        <ErrorBanner error={statement.error} onRetry={() => refetchStatement({ requestPolicy: "network-only" })} />
      ) : null}
      {result.error && !onlyOutages(result.error) ? (
        <ErrorBanner error={result.error} onRetry={() => refetch({ requestPolicy: "network-only" })} />
      ) : null}
      <Unavailable
        backends={outages(result.error)}
        missing={{
          billing: "missing.perService",
          crm: "missing.serviceList",
          aaa: "missing.eachStatus",
        }}
      />

      {summary ? (
        <FinancialStrip summary={summary} />
      ) : result.fetching ? (
        <div className="fin-strip fin-strip--loading">
          <Skeleton lines={2} />
        </div>
      ) : null}

      {summary?.breakdown ? (
        <section className="section" aria-labelledby="breakdown-title">
          <div className="section__head">
            <h2 id="breakdown-title">
              Per-service breakdown <span className="count">{summary.breakdown.length}</span>
            </h2>
            <p className="muted small">Monthly charges in total: {formatMoney(summary.monthlyCharges)}</p>
          </div>
          {summary.breakdown.length > 8 ? (
            <div className="toolbar">
              <div className="field field--inline field--grow">
                <label htmlFor="breakdown-filter">Filter</label>
                <input
                  id="breakdown-filter"
                  type="search"
                  placeholder="Apartment, branch or service"
                  value={filter}
                  onChange={(e) => setFilter(e.target.value)}
                />
              </div>
            </div>
          ) : null}
          {summary.breakdown.length === 0 ? (
            <EmptyState title="No services on this account yet" />
          ) : (
            <div className="table-wrap card card--flush">
              <table className="table table--stack" data-testid="breakdown-table">
                <caption className="sr-only">Outstanding and monthly charges per service</caption>
                <thead>
                  <tr>
                    {header("label", "Service")}
                    <th scope="col">Status</th>
                    {header("monthly", "Monthly", true)}
                    {header("invoices", "Open invoices", true)}
                    {header("outstanding", "Outstanding", true)}
                  </tr>
                </thead>
                <tbody>
                  {rows.map((row) => (
                    <tr key={row.subService.id} data-testid="breakdown-row" data-outstanding={row.outstanding.amount}>
                      <td data-label="Service">
                        <span className="row-title">
                          <ServiceKindIcon kind={row.subService.kind} />
                          <Link to={servicePath(row.subService.id)}>{row.subService.label}</Link>
                        </span>
                        <span className="muted small block">
                          {label(SERVICE_KIND_LABEL, row.subService.kind)}
                          {row.subService.location ? ` · ${row.subService.location}` : ""}
                        </span>
                      </td>
                      <td data-label="Status">
                        <StatusBadge status={row.subService.status} reason={row.subService.statusReason} />
                      </td>
                      <td data-label="Monthly" className="num">
                        {formatMoney(row.monthlyCharge)}
                      </td>
                      <td data-label="Open invoices" className="num">
                        {row.openInvoiceCount === 0 && isPositive(row.outstanding) ? (
                          // Owed on an invoice the viewer's role does not list (a SITE user, a consolidated invoice).
                          <span className="muted small">on the account's invoice</span>
                        ) : (
                          row.openInvoiceCount
                        )}
                      </td>
                      <td data-label="Outstanding" className={`num strong ${isPositive(row.outstanding) ? "text-due" : ""}`}>
                        {formatMoney(row.outstanding)}
                      </td>
                    </tr>
                  ))}
                </tbody>
                <tfoot>
                  <tr>
                    <th scope="row">Total</th>
                    <td />
                    <td className="num" data-label="Monthly">
                      {formatMoney(summary.monthlyCharges)}
                    </td>
                    <td />
                    <td className="num strong" data-label="Outstanding">
                      {formatMoney(summary.outstanding)}
                    </td>
                  </tr>
                </tfoot>
              </table>
              {rows.length === 0 ? <p className="muted pad">No services match “{filter}”.</p> : null}
            </div>
          )}
        </section>
      ) : null}
    </>
  );
}
