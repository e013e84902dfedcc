import { useState } from "react";
import { Link, useSearchParams } from "react-router-dom";
import { useQuery } from "urql";
import { useViewer } from "../api/auth";
import { useLiveSubscription, useResync } from "../api/useLive";
import { EmptyState, ErrorBanner, Skeleton } from "../components/Feedback";
import { PageHeader, SupportContacts } from "../components/Layout";
import { LiveIndicator } from "../components/LiveIndicator";
import { formatRelative } from "../format";
import { label } from "../labels";
import { t as tr } from "../i18n";
import { TICKET_CATEGORY_LABEL, TICKET_STATUS_LABEL } from "../support/labels";
import { TicketChangedSubscription, TicketListQuery } from "../support/operations";
import { SlaMeter } from "../support/SlaMeter";

type Tab = "open" | "closed" | "all";

/** Support: the account's tickets (a SITE user: those of their sites), open or closed, per sub-service. */
export function SupportPage() {
  const viewer = useViewer();
  const [params, setParams] = useSearchParams();
  const tab = (params.get("tab") as Tab | null) ?? "open";
  const subServiceId = params.get("service") || null;
  const [{ data, fetching, error }, reexecute] = useQuery({
    query: TicketListQuery,
    variables: { active: tab === "all" ? null : tab === "open", subServiceId },
    requestPolicy: "cache-and-network",
  });
  const [, force] = useState(0);
  const reload = () => reexecute({ requestPolicy: "network-only" });
  useLiveSubscription(TicketChangedSubscription, {}, () => {
    reload();
    force((n) => n + 1);
  });
  useResync(reload);

  const subscriber = data?.viewer?.subscriber;
  const tickets = subscriber?.tickets?.nodes ?? [];
  const set = (key: string, value: string | null) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  };

  return (
    <>
      <PageHeader
        title={tr("nav.support")}
        subtitle={tr("support.subtitle")}
        actions={
          <>
            <LiveIndicator />
            {viewer.role !== "VIEWER" ? (
              <Link className="btn btn--primary" to="/support/new" data-testid="new-ticket">
                {tr("support.new")}
              </Link>
            ) : null}
          </>
        }
      />
      <SupportContacts className="muted small support-page__contacts" />
      {error ? <ErrorBanner error={error} onRetry={reload} /> : null}
      <div className="support-filters">
        <div className="tabs" role="tablist" aria-label={tr("support.state")}>
          {(["open", "closed", "all"] as const).map((t) => (
            <button
              key={t}
              type="button"
              role="tab"
              aria-selected={tab === t}
              className={`tabs__tab ${tab === t ? "tabs__tab--active" : ""}`}
              data-testid={`ticket-tab-${t}`}
              onClick={() => set("tab", t === "open" ? null : t)}
            >
              {t === "open" ? tr("support.tab.open") : t === "closed" ? tr("support.tab.closed") : tr("invoices.tab.all")}
            </button>
          ))}
        </div>
        <label className="field field--inline">
          <span>{tr("dashboard.service")}</span>
          <select value={subServiceId ?? ""} onChange={(e) => set("service", e.target.value || null)} data-testid="ticket-service-filter">
            <option value="">{tr("dashboard.allServices")}</option>
            {(subscriber?.subServices?.nodes ?? []).map((s) => (
              <option key={s.id} value={s.id}>
                {s.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      {fetching && !data ? (
        <Skeleton lines={4} />
      ) : tickets.length === 0 ? (
        <EmptyState title={tab === "open" ? tr("support.noneOpen") : tr("support.none")}>
          <p>{tr("support.noneHelp")}</p>
        </EmptyState>
      ) : (
        <ul className="ticket-list" data-testid="ticket-list">
          {tickets.map((t) => (
            <li key={t.id} className="card ticket-row" data-testid="ticket-row" data-status={t.status}>
              <div className="ticket-row__head">
                <Link to={`/support/${t.number}`} className="ticket-row__subject">
                  {t.subject}
                </Link>
                <span className={`badge badge--ticket-${t.status.toLowerCase()}`} data-testid="ticket-status">
                  {label(TICKET_STATUS_LABEL, t.status)}
                </span>
              </div>
              <p className="muted small">
                {t.number} · {label(TICKET_CATEGORY_LABEL, t.category)}
                {t.subService ? ` · ${t.subService.label}` : ""} · {tr("support.updated", { when: formatRelative(t.updatedAt) })}
              </p>
              <SlaMeter sla={t.sla} compact />
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
