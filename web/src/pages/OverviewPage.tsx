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
import { t } from "../i18n";
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
        <PageHeader title={t("overview.title")} />
        <EmptyState title={t("overview.notMulti")}>
          <Link to="/" className="btn btn--secondary">
            {t("notFound.home")}
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
      <span>{t("overview.download")}</span>
    </SignedLink>
  ) : statement.fetching ? (
    <button type="button" className="btn btn--primary" disabled>
      <DownloadIcon />
      <span>{t("overview.preparing")}</span>
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
        title={t("overview.title")}
        subtitle={viewer.subscriber.name ? t("overview.subtitleNamed", { name: viewer.subscriber.name }) : t("overview.subtitle")}
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
              {t("overview.breakdown")} <span className="count">{summary.breakdown.length}</span>
            </h2>
            <p className="muted small">{t("overview.monthlyTotal", { amount: formatMoney(summary.monthlyCharges) })}</p>
          </div>
          {summary.breakdown.length > 8 ? (
            <div className="toolbar">
              <div className="field field--inline field--grow">
                <label htmlFor="breakdown-filter">{t("overview.filter")}</label>
                <input
                  id="breakdown-filter"
                  type="search"
                  placeholder={t("overview.filterPlaceholder")}
                  value={filter}
                  onChange={(e) => setFilter(e.target.value)}
                />
              </div>
            </div>
          ) : null}
          {summary.breakdown.length === 0 ? (
            <EmptyState title={t("overview.none")} />
          ) : (
            <div className="table-wrap card card--flush">
              <table className="table table--stack" data-testid="breakdown-table">
                <caption className="sr-only">{t("overview.caption")}</caption>
                <thead>
                  <tr>
                    {header("label", t("invoices.col.service"))}
                    <th scope="col">{t("invoices.col.status")}</th>
                    {header("monthly", t("overview.monthly"), true)}
                    {header("invoices", t("overview.openInvoices"), true)}
                    {header("outstanding", t("fin.outstanding"), true)}
                  </tr>
                </thead>
                <tbody>
                  {rows.map((row) => (
                    <tr key={row.subService.id} data-testid="breakdown-row" data-outstanding={row.outstanding.amount}>
                      <td data-label={t("invoices.col.service")}>
                        <span className="row-title">
                          <ServiceKindIcon kind={row.subService.kind} />
                          <Link to={servicePath(row.subService.id)}>{row.subService.label}</Link>
                        </span>
                        <span className="muted small block">
                          {label(SERVICE_KIND_LABEL, row.subService.kind)}
                          {row.subService.location ? ` · ${row.subService.location}` : ""}
                        </span>
                      </td>
                      <td data-label={t("invoices.col.status")}>
                        <StatusBadge status={row.subService.status} reason={row.subService.statusReason} />
                      </td>
                      <td data-label={t("overview.monthly")} className="num">
                        {formatMoney(row.monthlyCharge)}
                      </td>
                      <td data-label={t("overview.openInvoices")} className="num">
                        {row.openInvoiceCount === 0 && isPositive(row.outstanding) ? (
                          // Owed on an invoice the viewer's role does not list (a SITE user, a consolidated invoice).
                          <span className="muted small">{t("overview.onAccountInvoice")}</span>
                        ) : (
                          row.openInvoiceCount
                        )}
                      </td>
                      <td data-label={t("fin.outstanding")} className={`num strong ${isPositive(row.outstanding) ? "text-due" : ""}`}>
                        {formatMoney(row.outstanding)}
                      </td>
                    </tr>
                  ))}
                </tbody>
                <tfoot>
                  <tr>
                    <th scope="row">{t("invoices.col.total")}</th>
                    <td />
                    <td className="num" data-label={t("overview.monthly")}>
                      {formatMoney(summary.monthlyCharges)}
                    </td>
                    <td />
                    <td className="num strong" data-label={t("fin.outstanding")}>
                      {formatMoney(summary.outstanding)}
                    </td>
                  </tr>
                </tfoot>
              </table>
              {rows.length === 0 ? <p className="muted pad">{t("overview.noMatch", { query: filter })}</p> : null}
            </div>
          )}
        </section>
      ) : null}
    </>
  );
}
