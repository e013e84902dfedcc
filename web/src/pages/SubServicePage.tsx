import { useMemo, useState } from "react";
import { Link, useParams } from "react-router-dom";
import { useQuery } from "urql";
import { useViewer } from "../api/auth";
import { PaymentSettledSubscription, ServiceStatusChangedSubscription } from "../api/liveOperations";
import { useLiveSubscription, useResync } from "../api/useLive";
import { EmptyState, ErrorBanner, Skeleton } from "../components/Feedback";
import { DeviceIcon, ServiceKindIcon } from "../components/Icons";
import { InstallmentRow } from "../components/InstallmentCard";
import { InvoicePayActions } from "../components/InvoicePayActions";
import { InvoicePdfLink } from "../components/InvoicePdfLink";
import { PageHeader } from "../components/Layout";
import { LiveIndicator } from "../components/LiveIndicator";
import { AddOnShop } from "../components/AddOnShop";
import { PlanChange, ServiceProfileSubscription } from "../components/PlanChange";
import { RenewService } from "../components/RenewService";
import { InvoiceBadge, OnlineDot, StatusBadge } from "../components/StatusBadge";
import { Unavailable } from "../components/Unavailable";
import { UsageChart } from "../components/UsageChart";
import { onlyOutages, outages } from "../api/outage";
import {
  addDays,
  formatDate,
  formatDateTime,
  formatDueIn,
  formatGB,
  formatMoney,
  formatPeriod,
  formatRelative,
  formatSpeed,
  isPositive,
  ordinal,
  todayIso,
} from "../format";
import { graphql } from "../gql";
import type { ServiceStatus, StatusReason, SubServiceDetailQuery } from "../gql/graphql";
import { label, SERVICE_KIND_LABEL, statusHint } from "../labels";

const SubServiceDetailQuery = graphql(`
  query SubServiceDetail($id: ID!, $from: Date, $to: Date) {
    node(id: $id) {
      __typename
      ... on SubService {
        id
        label
        location
        kind
        status
        statusReason
        statusSince
        expiresAt
        renewable
        renewalPrice {
          amount
          currency
        }
        profile {
          planName
          downMbps
          upMbps
        }
        usage(from: $from, to: $to) {
          from
          to
          downloadBytes
          uploadBytes
          days {
            date
            downloadBytes
            uploadBytes
          }
        }
        liveSession {
          online
          ipAddress
          nas
          since
          bytesIn
          bytesOut
        }
        devices {
          id
          kind
          model
          serial
          mac
          firmware
          online
          lastSeen
          signalDbm
        }
        addOns {
          name
          monthlyPrice {
            amount
            currency
          }
          activeSince
        }
        installments {
          ...InstallmentFields
        }
        billing {
          prepaid
          nextInvoiceAdjustments {
            description
            amount {
              amount
              currency
            }
          }
          outstanding {
            amount
            currency
          }
          monthlyCharge {
            amount
            currency
          }
          cycle {
            billingDay
            periodStart
            periodEnd
            nextInvoiceOn
          }
          openInvoices {
            id
            number
            status
            dueOn
            balance {
              amount
              currency
            }
            pdfUrl
          }
        }
      }
    }
  }
`);

type Detail = Extract<NonNullable<SubServiceDetailQuery["node"]>, { __typename: "SubService" }>;

function signalClass(dbm: number | null | undefined): string {
  if (dbm == null) return "";
  if (dbm >= -25) return "signal--good";
  if (dbm >= -28) return "signal--fair";
  return "signal--poor";
}

export function SubServicePage() {
  const { id = "" } = useParams();
  const today = todayIso();
  const variables = useMemo(() => ({ id, from: addDays(today, -29), to: today }), [id, today]);
  const [result, refetch] = useQuery({ query: SubServiceDetailQuery, variables });
  const retry = () => refetch({ requestPolicy: "network-only" });
  const { canManageBilling, role } = useViewer();

  // Live: the status badge follows serviceStatusChanged without a reload; a settled payment re-reads the page
  // (open invoices change); so does a reconnect.
  const [liveStatus, setLiveStatus] = useState<{
    id: string;
    status: ServiceStatus | null;
    statusReason: StatusReason | null;
    statusSince: string | null;
  } | null>(null);
  useLiveSubscription(ServiceStatusChangedSubscription, {}, ({ serviceStatusChanged: s }) => {
    if (s.id === id) setLiveStatus({ id: s.id, status: s.status, statusReason: s.statusReason, statusSince: s.statusSince });
  });
  // The speeds follow a plan change live (a separate subscription: only this page needs the profile).
  const [liveProfile, setLiveProfile] = useState<{ id: string; profile: Detail["profile"] } | null>(null);
  useLiveSubscription(ServiceProfileSubscription, {}, ({ serviceStatusChanged: s }) => {
    if (s.id === id) setLiveProfile({ id: s.id, profile: s.profile });
  });
  useLiveSubscription(PaymentSettledSubscription, {}, retry);
  useResync(retry);

  const node = result.data?.node;
  const loaded: Detail | null = node && node.__typename === "SubService" ? node : null;
  const withStatus: Detail | null = loaded && liveStatus?.id === loaded.id ? { ...loaded, ...liveStatus } : loaded;
  const service: Detail | null =
    withStatus && liveProfile?.id === withStatus.id ? { ...withStatus, profile: liveProfile.profile } : withStatus;

  if (!service) {
    if (result.fetching || (!result.data && !result.error)) {
      return (
        <>
          <Link to="/" className="back-link">
            ← All services
          </Link>
          <div className="card">
            <Skeleton lines={6} />
          </div>
        </>
      );
    }
    return (
      <>
        <Link to="/" className="back-link">
          ← All services
        </Link>
        {result.error ? <ErrorBanner error={result.error} onRetry={retry} /> : null}
        {!result.error ? (
          <EmptyState title="Service not found">
            <p>This service does not exist or is not part of your account.</p>
            <Link to="/" className="btn btn--secondary">
              Back to dashboard
            </Link>
          </EmptyState>
        ) : null}
      </>
    );
  }

  const speed = formatSpeed(service.profile?.downMbps, service.profile?.upMbps);
  const hint = service.status ? statusHint(service.status, service.statusReason) : null;
  const billing = service.billing;
  const cycle = billing?.cycle ?? null;
  // The systems whose data this section lacks (each field a system feeds is null while it is down).
  const down = (...fields: string[]) => outages(result.error, ...fields);

  return (
    <>
      <Link to="/" className="back-link">
        ← All services
      </Link>
      <PageHeader
        title={service.label}
        subtitle={
          <span className="inline-list">
            <span className="svc__kind">
              <ServiceKindIcon kind={service.kind} />
              {label(SERVICE_KIND_LABEL, service.kind)}
            </span>
            {service.location ? <span>{service.location}</span> : null}
          </span>
        }
        actions={
          role !== "VIEWER" ? (
            <Link
              className="btn btn--secondary btn--small"
              to={`/support/new?service=${encodeURIComponent(service.id)}`}
              data-testid="report-problem"
            >
              Report a problem
            </Link>
          ) : undefined
        }
      />
      {result.error && !onlyOutages(result.error) ? <ErrorBanner error={result.error} onRetry={retry} /> : null}

      <section
        className={`card status-card status-card--${(service.status ?? "unknown").toLowerCase()}`}
        aria-label="Service status"
        data-testid="service-status"
      >
        <Unavailable backends={down("status")} missing={{ aaa: "the service status" }} />
        <div className="status-card__main">
          <StatusBadge status={service.status} reason={service.statusReason} />
          {service.statusSince ? <span className="muted small">since {formatDateTime(service.statusSince)}</span> : null}
          <LiveIndicator />
        </div>
        {hint ? <p className="status-card__hint">{hint}</p> : null}
        {service.status !== "ACTIVE" && service.statusReason === "NON_PAYMENT" ? (
          <Link to="/invoices?tab=open" className="btn btn--danger btn--small">
            View open invoices
          </Link>
        ) : null}
      </section>

      <div className="grid-2">
        <section className="card" aria-labelledby="profile-title">
          <h2 id="profile-title" className="card__title">
            Plan
          </h2>
          <dl className="facts">
            <div>
              <dt>Profile</dt>
              <dd data-testid="service-plan">
                {service.profile?.planName ?? (down("profile").length ? "Unavailable right now" : "No bandwidth profile")}
              </dd>
            </div>
            {speed ? (
              <div>
                <dt>Speed (down/up)</dt>
                <dd className="strong" data-testid="service-speed">
                  {speed}
                </dd>
              </div>
            ) : null}
            <div>
              <dt>Monthly charge</dt>
              <dd>{billing ? formatMoney(billing.monthlyCharge) : "Unavailable right now"}</dd>
            </div>
            {service.expiresAt ? (
              <div>
                <dt>Prepaid until</dt>
                <dd className="strong" data-testid="service-expires">
                  {formatDateTime(service.expiresAt)}
                </dd>
              </div>
            ) : null}
          </dl>
          {service.expiresAt && canManageBilling ? (
            <RenewService
              serviceId={service.id}
              renewable={service.renewable ?? false}
              renewalPrice={service.renewalPrice ?? null}
              onRenewed={retry}
            />
          ) : null}
          {!billing?.prepaid ? <PlanChange serviceId={service.id} canChange={role !== "VIEWER"} onChanged={retry} /> : null}
        </section>

        <section className="card" aria-labelledby="session-title">
          <h2 id="session-title" className="card__title">
            Live session
          </h2>
          {service.liveSession ? (
            <dl className="facts">
              <div>
                <dt>State</dt>
                <dd>
                  <OnlineDot online={service.liveSession.online} label={service.liveSession.online ? "Connected" : "Not connected"} />
                </dd>
              </div>
              {service.liveSession.ipAddress ? (
                <div>
                  <dt>IP address</dt>
                  <dd className="mono">{service.liveSession.ipAddress}</dd>
                </div>
              ) : null}
              {service.liveSession.nas ? (
                <div>
                  <dt>Access point</dt>
                  <dd>{service.liveSession.nas}</dd>
                </div>
              ) : null}
              {service.liveSession.since ? (
                <div>
                  <dt>Connected since</dt>
                  <dd>{formatDateTime(service.liveSession.since)}</dd>
                </div>
              ) : null}
              {service.liveSession.bytesIn != null || service.liveSession.bytesOut != null ? (
                <div>
                  <dt>This session</dt>
                  <dd>
                    {formatGB(service.liveSession.bytesIn)} down · {formatGB(service.liveSession.bytesOut)} up
                  </dd>
                </div>
              ) : null}
            </dl>
          ) : down("liveSession").length ? (
            <Unavailable backends={down("liveSession")} missing={{ aaa: "the live session" }} />
          ) : (
            <p className="muted">No session information for this service.</p>
          )}
        </section>
      </div>

      <section className="card" aria-labelledby="usage-title">
        <h2 id="usage-title" className="card__title">
          Usage — last 30 days
        </h2>
        {service.usage ? (
          <UsageChart
            from={service.usage.from}
            to={service.usage.to}
            days={service.usage.days}
            downloadBytes={service.usage.downloadBytes}
            uploadBytes={service.usage.uploadBytes}
          />
        ) : down("usage").length ? (
          <Unavailable backends={down("usage")} missing={{ oss: "usage figures" }} />
        ) : (
          <p className="muted">Usage metrics are not available for this service.</p>
        )}
      </section>

      <section className="card" aria-labelledby="devices-title">
        <h2 id="devices-title" className="card__title">
          <DeviceIcon /> Devices {service.devices ? <span className="count">{service.devices.length}</span> : null}
        </h2>
        {service.devices === null ? (
          <Unavailable backends={down("devices")} missing={{ oss: "your devices" }} />
        ) : service.devices.length === 0 ? (
          <p className="muted">No devices are registered for this service.</p>
        ) : (
          <div className="table-wrap">
            <table className="table table--stack">
              <thead>
                <tr>
                  <th scope="col">Model</th>
                  <th scope="col">Serial</th>
                  <th scope="col">MAC</th>
                  <th scope="col">Firmware</th>
                  <th scope="col">Status</th>
                  <th scope="col" className="num">
                    Signal
                  </th>
                </tr>
              </thead>
              <tbody>
                {service.devices.map((d) => (
                  <tr key={d.id} data-testid="device-row" data-online={d.online ? "true" : "false"}>
                    <td data-label="Model">
                      <span className="strong">{d.model}</span>
                      <span className="muted small"> {d.kind}</span>
                    </td>
                    <td data-label="Serial" className="mono">
                      {d.serial}
                    </td>
                    <td data-label="MAC" className="mono">
                      {d.mac}
                    </td>
                    <td data-label="Firmware" className="mono">
                      {d.firmware}
                    </td>
                    <td data-label="Status">
                      <OnlineDot online={d.online} />
                      {!d.online && d.lastSeen ? (
                        <span className="muted small" title={formatDateTime(d.lastSeen)}>
                          {" "}
                          last seen {formatRelative(d.lastSeen)}
                        </span>
                      ) : null}
                    </td>
                    <td data-label="Signal" className={`num ${signalClass(d.signalDbm)}`}>
                      {d.signalDbm != null ? `${d.signalDbm.toFixed(1)} dBm` : "—"}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <div className="grid-2">
        <section className="card" aria-labelledby="addons-title">
          <h2 id="addons-title" className="card__title">
            Add-ons
          </h2>
          {service.addOns === null ? (
            <Unavailable backends={down("addOns")} missing={{ oss: "your add-ons" }} />
          ) : service.addOns.length === 0 ? (
            <p className="muted">No add-ons on this service.</p>
          ) : (
            <ul className="plain-list">
              {service.addOns.map((a) => (
                <li key={a.name} className="plain-list__row">
                  <span>
                    {a.name}
                    {a.activeSince ? <span className="muted small"> · since {formatDate(a.activeSince)}</span> : null}
                  </span>
                  <span className="strong">{formatMoney(a.monthlyPrice)}/mo</span>
                </li>
              ))}
            </ul>
          )}
        </section>

        <section className="card" aria-labelledby="billing-title" data-testid="service-billing">
          <h2 id="billing-title" className="card__title">
            Billing
          </h2>
          {billing && cycle ? (
            <dl className="facts">
              <div>
                <dt>Outstanding</dt>
                <dd className={isPositive(billing.outstanding) ? "text-due strong" : "strong"}>{formatMoney(billing.outstanding)}</dd>
              </div>
              <div>
                <dt>Billing cycle</dt>
                <dd>
                  {billing.prepaid ? "Prepaid" : `Monthly, on the ${ordinal(cycle.billingDay)}`}
                  <span className="muted small"> · current period {formatPeriod(cycle.periodStart, cycle.periodEnd)}</span>
                </dd>
              </div>
              <div>
                <dt>Next invoice</dt>
                <dd>{formatDate(cycle.nextInvoiceOn)}</dd>
              </div>
            </dl>
          ) : null}
          {billing && billing.nextInvoiceAdjustments.length > 0 ? (
            <>
              <h3 className="card__subtitle">On your next invoice</h3>
              <ul className="plain-list" data-testid="next-invoice-adjustments">
                {billing.nextInvoiceAdjustments.map((a) => (
                  <li key={a.description} className="plain-list__row">
                    <span>{a.description}</span>
                    <span className="strong">{formatMoney(a.amount)}</span>
                  </li>
                ))}
              </ul>
            </>
          ) : null}
          <Unavailable backends={down("billing")} missing={{ billing: "charges and open invoices" }} />
          {billing?.openInvoices ? <h3 className="card__subtitle">Open invoices</h3> : null}
          {!billing?.openInvoices ? null : billing.openInvoices.length === 0 ? (
            <p className="muted">No open invoices — you're all set.</p>
          ) : (
            <ul className="plain-list">
              {billing.openInvoices.map((inv) => {
                const overdue = inv.status === "OVERDUE" || (inv.status === "OPEN" && inv.dueOn < today);
                return (
                  <li key={inv.id} className="plain-list__row">
                    <span>
                      <span className="strong">{inv.number}</span>{" "}
                      <InvoiceBadge status={inv.status} overdue={overdue} />
                      <span className={`small ${overdue ? "text-due" : "muted"}`}>
                        {" "}
                        {formatDate(inv.dueOn)} ({formatDueIn(inv.dueOn, today)})
                      </span>
                    </span>
                    <span className="plain-list__end">
                      <span className="strong">{formatMoney(inv.balance)}</span>
                      <InvoicePdfLink id={inv.id} number={inv.number} pdfUrl={inv.pdfUrl} />
                      {canManageBilling ? <InvoicePayActions invoice={inv} walletBalance={null} /> : null}
                    </span>
                  </li>
                );
              })}
            </ul>
          )}
        </section>
      </div>

      <AddOnShop serviceId={service.id} canBuy={canManageBilling} onBought={retry} />

      {service.installments === null ? (
        <Unavailable backends={down("installments")} missing={{ billing: "installment plans" }} />
      ) : service.installments.length > 0 ? (
        <section className="card" aria-labelledby="inst-title">
          <h2 id="inst-title" className="card__title">
            Installments
          </h2>
          <ul className="installments">
            {service.installments.map((plan, i) => (
              <InstallmentRow key={`${plan.description}-${i}`} plan={plan} />
            ))}
          </ul>
        </section>
      ) : null}
    </>
  );
}
