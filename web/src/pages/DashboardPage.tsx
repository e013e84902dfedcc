import { useEffect, useMemo, useRef } from "react";
import { useSearchParams } from "react-router-dom";
import { useViewer } from "../api/auth";
import { usePaginated } from "../api/paginate";
import { useResync } from "../api/useLive";
import { DunningNotice } from "../components/DunningNotice";
import { FinancialStrip } from "../components/FinancialStrip";
import { CardSkeletons, EmptyState, ErrorBanner, Skeleton } from "../components/Feedback";
import { accountLine, isMultiSite, PageHeader } from "../components/Layout";
import { LiveIndicator } from "../components/LiveIndicator";
import { ShowMore } from "../components/ShowMore";
import { SubServiceCard } from "../components/SubServiceCard";
import { Unavailable } from "../components/Unavailable";
import { onlyOutages, outages } from "../api/outage";
import { OutageBanner } from "../cpe/OutageBanner";
import { graphql } from "../gql";
import type { ServiceKind, ServiceStatus } from "../gql/graphql";
import type { MessageKey } from "../i18n";
import { useT } from "../i18n/I18nProvider";
import { label, SERVICE_KIND_LABEL, SERVICE_STATUS_LABEL } from "../labels";

// The whole page in one operation: one request, one execution, one set of loaders for the account's figures, its
// incidents, its declined autopay charges and the first page of services (bench/ratio.py). "Show more" and a filter change send it again with
// other variables: the account's figures come along (Billing's account alone: one read), so nothing is stale.
const DashboardPageQuery = graphql(`
  query DashboardPage($first: Int!, $after: String, $kind: ServiceKind, $status: ServiceStatus) {
    viewer {
      subscriber {
        id
        financialSummary {
          ...FinancialStrip
        }
        serviceIncidents {
          ...IncidentFields
        }
        declinedInvoices {
          ...DeclinedInvoice
        }
        subServices(first: $first, after: $after, kind: $kind, status: $status) {
          totalCount
          pageInfo {
            hasNextPage
            endCursor
          }
          nodes {
            ...SubServiceCard
          }
        }
      }
    }
  }
`);

// What a service card lacks while each system is down.
const CARD_MISSING: Record<string, MessageKey> = {
  billing: "missing.cardBilling",
  aaa: "missing.cardAaa",
  oss: "missing.cardOss",
};

const STATUSES: ServiceStatus[] = ["ACTIVE", "SUSPENDED", "RESTRICTED"];
const KINDS: ServiceKind[] = ["INTERNET", "IPTV", "VOIP"];

/** `value`, or while it is null (a new read under way) the last one that was not. */
function useLastPresent<T>(value: T | null): T | null {
  const last = useRef<T | null>(null);
  if (value !== null) last.current = value;
  return value ?? last.current;
}

function oneOf<T extends string>(value: string | null, allowed: readonly T[]): T | null {
  return value && (allowed as readonly string[]).includes(value) ? (value as T) : null;
}

export function DashboardPage() {
  const viewer = useViewer();
  const multi = isMultiSite(viewer.subscriber.kind);
  const subscriber = viewer.subscriber;
  const [params, setParams] = useSearchParams();
  const status = oneOf(params.get("status"), STATUSES);
  const kind = oneOf(params.get("kind"), KINDS);
  const search = params.get("q") ?? "";

  const services = usePaginated(
    DashboardPageQuery,
    { first: multi ? 24 : 50, kind, status },
    (data) => data.viewer?.subscriber.subServices,
  );

  // Live: the account's events (LiveCacheFeed) update the normalized cache, and with it the balance strip and
  // every card (status, outstanding amount) at once. After a reconnect everything is read again.
  useResync(services.reload);
  const items = services.items;

  // While a filter change re-reads the page, the strip and the banner keep what they showed.
  const head = useLastPresent(services.data?.viewer?.subscriber ?? null);
  const financial = head?.financialSummary ?? null;
  const summaryDown = financial ? [] : outages(services.error, "financialSummary");
  // The list itself failed (the CRM's, and Billing's copy of it), or only some facts on the cards (status, devices, billing).
  const listDown = services.data?.viewer?.subscriber.subServices ? [] : outages(services.error, "subServices");
  const cardsDown = outages(services.error, "nodes");

  const needle = search.trim().toLowerCase();
  const shown = useMemo(
    () => (needle ? items.filter((s) => `${s.label} ${s.location}`.toLowerCase().includes(needle)) : items),
    [items, needle],
  );

  // Text search runs over what is loaded; while searching, keep loading the remaining pages so nothing is missed.
  const { hasNextPage, loading, loadingMore, loadMore, error } = services;
  useEffect(() => {
    if (needle && hasNextPage && !loading && !loadingMore && !error) loadMore();
  }, [needle, hasNextPage, loading, loadingMore, loadMore, error]);

  const showToolbar = multi || (services.totalCount ?? 0) > 6 || !!status || !!kind || !!needle;
  const filtered = !!status || !!kind || !!needle;

  const t = useT();

  function setParam(name: string, value: string | null) {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    setParams(next, { replace: true });
  }

  return (
    <>
      <PageHeader title={subscriber.name ?? t("layout.yourAccount")} subtitle={accountLine(subscriber)} />
      <OutageBanner loaded={head?.serviceIncidents ?? null} />
      <DunningNotice loaded={head?.declinedInvoices ?? null} reload={services.reload} />

      {financial ? (
        <FinancialStrip summary={financial} />
      ) : summaryDown.length > 0 ? (
        <Unavailable
          backends={summaryDown}
          missing={{ billing: "missing.balanceDue", crm: "missing.balanceDue" }}
        />
      ) : services.loading ? (
        <div className="fin-strip fin-strip--loading">
          <Skeleton lines={2} />
        </div>
      ) : null}

      <section className="section" aria-labelledby="services-title">
        <div className="section__head">
          <h2 id="services-title">
            {multi ? t("dashboard.sitesAndServices") : t("dashboard.yourServices")}
            {services.totalCount !== null ? <span className="count">{services.totalCount}</span> : null}
          </h2>
          <LiveIndicator />
        </div>

        {showToolbar ? (
          <form className="toolbar" role="search" onSubmit={(e) => e.preventDefault()}>
            <div className="field field--inline field--grow">
              <label htmlFor="svc-search">{t("dashboard.search")}</label>
              <input
                id="svc-search"
                type="search"
                placeholder={t("dashboard.searchPlaceholder")}
                value={search}
                onChange={(e) => setParam("q", e.target.value || null)}
                data-testid="subservice-search"
              />
            </div>
            <div className="field field--inline">
              <label htmlFor="svc-status">{t("dashboard.status")}</label>
              <select
                id="svc-status"
                value={status ?? ""}
                onChange={(e) => setParam("status", e.target.value || null)}
                data-testid="subservice-filter-status"
              >
                <option value="">{t("dashboard.allStatuses")}</option>
                {STATUSES.map((s) => (
                  <option key={s} value={s}>
                    {label(SERVICE_STATUS_LABEL, s)}
                  </option>
                ))}
              </select>
            </div>
            <div className="field field--inline">
              <label htmlFor="svc-kind">{t("dashboard.service")}</label>
              <select
                id="svc-kind"
                value={kind ?? ""}
                onChange={(e) => setParam("kind", e.target.value || null)}
                data-testid="subservice-filter-kind"
              >
                <option value="">{t("dashboard.allServices")}</option>
                {KINDS.map((k) => (
                  <option key={k} value={k}>
                    {label(SERVICE_KIND_LABEL, k)}
                  </option>
                ))}
              </select>
            </div>
            {filtered ? (
              <button type="button" className="btn btn--ghost btn--small" onClick={() => setParams(new URLSearchParams(), { replace: true })}>
                {t("dashboard.clearFilters")}
              </button>
            ) : null}
          </form>
        ) : null}

        {services.error && !onlyOutages(services.error) ? <ErrorBanner error={services.error} onRetry={services.reload} /> : null}
        <Unavailable backends={listDown} missing={{ crm: "missing.yourServices", aaa: "missing.statusFilter" }} />
        <Unavailable backends={cardsDown} missing={CARD_MISSING} />

        {services.loading ? (
          <CardSkeletons count={multi ? 6 : 2} />
        ) : shown.length === 0 && !services.error ? (
          filtered ? (
            <EmptyState title={needle && hasNextPage ? t("dashboard.searching") : t("dashboard.noMatch")}>
              <button type="button" className="btn btn--secondary" onClick={() => setParams(new URLSearchParams(), { replace: true })}>
                {t("dashboard.showAll")}
              </button>
            </EmptyState>
          ) : (
            <EmptyState title={t("dashboard.none")}>
              <p>{t("dashboard.noneHint")}</p>
            </EmptyState>
          )
        ) : (
          <div className="card-grid">
            {shown.map((service) => (
              <SubServiceCard key={service.id} service={service} />
            ))}
          </div>
        )}

        {!services.loading && !needle ? (
          <ShowMore
            shown={services.items.length}
            total={services.totalCount}
            hasMore={services.hasNextPage}
            loading={services.loadingMore}
            onMore={services.loadMore}
            noun="count.services"
          />
        ) : null}
        {needle && !services.loading ? (
          <p className="show-more__count" aria-live="polite">
            {t("dashboard.matches", {
              count: shown.length,
              services: t("count.services", { count: services.totalCount ?? services.items.length }),
              query: search.trim(),
            })}
            {services.hasNextPage ? ` ${t("dashboard.stillSearching")}` : ""}
          </p>
        ) : null}
      </section>
    </>
  );
}
