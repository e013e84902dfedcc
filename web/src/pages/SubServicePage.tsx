import { useMemo } from "react";
import { Link, useParams } from "react-router-dom";
import { useQuery } from "urql";
import { useViewer } from "../api/auth";
import { useLiveEvents, useResync } from "../api/useLive";
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
import { WifiRouterSection } from "../cpe/WifiRouter";
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
  lastDayCovered,
  billingDay,
  todayIso,
  todayUtcIso,
} from "../format";
import { graphql } from "../gql";
import { t } from "../i18n";
import type { SubServiceDetailQuery } from "../gql/graphql";
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
          openInvoiceShares {
            dueOn
            overdue
            subServiceCount
            amount {
              amount
              currency
            }
            invoice {
              id
              number
              status
              dueOn
              total {
                amount
                currency
              }
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
  // Usage is counted per UTC day (the live session's bytes are today's there): the 30 days ending today, UTC.
  const usageTo = todayUtcIso();
  const variables = useMemo(() => ({ id, from: addDays(usageTo, -29), to: usageTo }), [id, usageTo]);
  const [result, refetch] = useQuery({ query: SubServiceDetailQuery, variables });
  const retry = () => refetch({ requestPolicy: "network-only" });
  const { canManageBilling, role } = useViewer();

  // Live: the account's events (LiveCacheFeed) update the normalized cache: the status badge, the amounts and the
  // open invoices follow them without a reload. A reconnect re-reads the page.
  // The speeds follow a plan change the same way (only this page selects the profile on the event).
  useLiveEvents(ServiceProfileSubscription);
  useResync(retry);

  const node = result.data?.node;
  const loaded: Detail | null = node && node.__typename === "SubService" ? node : null;
  const service: Detail | null = loaded;

  if (!service) {
    if (result.fetching || (!result.data && !result.error)) {
      return (
        <>
          <Link to="/" className="back-link">
            ← {t("service.allServices")}
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
          ← {t("service.allServices")}
        </Link>
        {result.error ? <ErrorBanner error={result.error} onRetry={retry} /> : null}
        {!result.error ? (
          <EmptyState title={t("service.notFound")}>
            <p>{t("service.notFoundHelp")}</p>
            <Link to="/" className="btn btn--secondary">
              {t("return.backDashboard")}
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
        ← {t("service.allServices")}
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
              {t("service.report")}
            </Link>
          ) : undefined
        }
      />
      {result.error && !onlyOutages(result.error) ? <ErrorBanner error={result.error} onRetry={retry} /> : null}

      <section
        className={`card status-card status-card--${(service.status ?? "unknown").toLowerCase()}`}
        aria-label={t("backend.aaa")}
        data-testid="service-status"
      >
        <Unavailable backends={down("status")} missing={{ aaa: "missing.serviceStatus" }} />
        <div className="status-card__main">
          <StatusBadge status={service.status} reason={service.statusReason} />
          {service.statusSince ? <span className="muted small">{t("service.since", { date: formatDateTime(service.statusSince) })}</span> : null}
          <LiveIndicator />
        </div>
        {hint ? <p className="status-card__hint">{hint}</p> : null}
        {service.status !== "ACTIVE" && service.statusReason === "NON_PAYMENT" ? (
          <Link to="/invoices?tab=open" className="btn btn--danger btn--small">
            {t("fin.viewOpen")}
          </Link>
        ) : null}
      </section>

      <div className="grid-2">
        <section className="card" aria-labelledby="profile-title">
          <h2 id="profile-title" className="card__title">
            {t("card.plan")}
          </h2>
          <dl className="facts">
            <div>
              <dt>{t("service.profile")}</dt>
              <dd data-testid="service-plan">
                {service.profile?.planName ?? (down("profile").length ? t("card.unavailable") : t("service.noProfile"))}
              </dd>
            </div>
            {speed ? (
              <div>
                <dt>{t("service.speed")}</dt>
                <dd className="strong" data-testid="service-speed">
                  {speed}
                </dd>
              </div>
            ) : null}
            <div>
              <dt>{t("service.monthly")}</dt>
              <dd>{billing ? formatMoney(billing.monthlyCharge) : t("card.unavailable")}</dd>
            </div>
            {service.expiresAt ? (
              <div>
                <dt>{t("card.prepaidThrough")}</dt>
                <dd className="strong" data-testid="service-expires">
                  {formatDate(lastDayCovered(service.expiresAt))}
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
            {t("service.liveSession")}
          </h2>
          {service.liveSession ? (
            <dl className="facts">
              <div>
                <dt>{t("service.state")}</dt>
                <dd>
                  <OnlineDot online={service.liveSession.online} label={service.liveSession.online ? t("card.connected") : t("card.notConnected")} />
                </dd>
              </div>
              {service.liveSession.ipAddress ? (
                <div>
                  <dt>{t("service.ip")}</dt>
                  <dd className="mono">{service.liveSession.ipAddress}</dd>
                </div>
              ) : null}
              {service.liveSession.nas ? (
                <div>
                  <dt>{t("service.ap")}</dt>
                  <dd>{service.liveSession.nas}</dd>
                </div>
              ) : null}
              {service.liveSession.since ? (
                <div>
                  <dt>{t("service.connectedSince")}</dt>
                  <dd>{formatDateTime(service.liveSession.since)}</dd>
                </div>
              ) : null}
              {service.liveSession.bytesIn != null || service.liveSession.bytesOut != null ? (
                <div>
                  <dt>{t("service.thisSession")}</dt>
                  <dd data-testid="session-usage">
                    {t("service.traffic", { down: formatGB(service.liveSession.bytesIn), up: formatGB(service.liveSession.bytesOut) })}
                    {service.liveSession.since ? (
                      <span className="muted small"> {t("service.since", { date: formatDateTime(service.liveSession.since) })}</span>
                    ) : null}
                  </dd>
                </div>
              ) : null}
            </dl>
          ) : down("liveSession").length ? (
            <Unavailable backends={down("liveSession")} missing={{ aaa: "missing.liveSession" }} />
          ) : (
            <p className="muted">{t("service.noSession")}</p>
          )}
        </section>
      </div>

      <section className="card" aria-labelledby="usage-title">
        <h2 id="usage-title" className="card__title" data-testid="usage-title">
          {t("service.usage", { period: service.usage ? formatPeriod(service.usage.from, service.usage.to) : t("service.last30") })}
        </h2>
        {service.usage && service.liveSession?.online ? (
          <p className="muted small" data-testid="usage-note">
            {t("service.usageNote")}
          </p>
        ) : null}
        {service.usage ? (
          <UsageChart
            from={service.usage.from}
            to={service.usage.to}
            days={service.usage.days}
            downloadBytes={service.usage.downloadBytes}
            uploadBytes={service.usage.uploadBytes}
          />
        ) : down("usage").length ? (
          <Unavailable backends={down("usage")} missing={{ oss: "missing.usageFigures" }} />
        ) : (
          <p className="muted">{t("service.noUsage")}</p>
        )}
      </section>

      <section className="card" aria-labelledby="devices-title">
        <h2 id="devices-title" className="card__title">
          <DeviceIcon /> {t("card.devicesTitle")} {service.devices ? <span className="count">{service.devices.length}</span> : null}
        </h2>
        {service.devices === null ? (
          <Unavailable backends={down("devices")} missing={{ oss: "missing.yourDevices" }} />
        ) : service.devices.length === 0 ? (
          <p className="muted">{t("service.noDevices")}</p>
        ) : (
          <div className="table-wrap">
            <table className="table table--stack">
              <thead>
                <tr>
                  <th scope="col">{t("service.model")}</th>
                  <th scope="col">{t("service.serial")}</th>
                  <th scope="col">MAC</th>
                  <th scope="col">{t("service.firmware")}</th>
                  <th scope="col">{t("invoices.col.status")}</th>
                  <th scope="col" className="num">
                    {t("service.signal")}
                  </th>
                </tr>
              </thead>
              <tbody>
                {service.devices.map((d) => (
                  <tr key={d.id} data-testid="device-row" data-online={d.online ? "true" : "false"}>
                    <td data-label={t("service.model")}>
                      <span className="strong">{d.model}</span>
                      <span className="muted small"> {d.kind}</span>
                    </td>
                    <td data-label={t("service.serial")} className="mono">
                      {d.serial}
                    </td>
                    <td data-label="MAC" className="mono">
                      {d.mac}
                    </td>
                    <td data-label={t("service.firmware")} className="mono">
                      {d.firmware}
                    </td>
                    <td data-label={t("invoices.col.status")}>
                      <OnlineDot online={d.online} />
                      {!d.online && d.lastSeen ? (
                        <span className="muted small" title={formatDateTime(d.lastSeen)}>
                          {" "}
                          {t("service.lastSeen", { when: formatRelative(d.lastSeen) })}
                        </span>
                      ) : null}
                    </td>
                    <td data-label={t("service.signal")} className={`num ${signalClass(d.signalDbm)}`}>
                      {d.signalDbm != null ? `${d.signalDbm.toFixed(1)} dBm` : "—"}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <WifiRouterSection subServiceId={service.id} />

      <div className="grid-2">
        <section className="card" aria-labelledby="addons-title">
          <h2 id="addons-title" className="card__title">
            {t("service.addOns")}
          </h2>
          {service.addOns === null ? (
            <Unavailable backends={down("addOns")} missing={{ oss: "missing.yourAddOns" }} />
          ) : service.addOns.length === 0 ? (
            <p className="muted">{t("service.noAddOns")}</p>
          ) : (
            <ul className="plain-list">
              {service.addOns.map((a) => (
                <li key={a.name} className="plain-list__row">
                  <span>
                    {a.name}
                    {a.activeSince ? <span className="muted small"> · {t("service.since", { date: formatDate(a.activeSince) })}</span> : null}
                  </span>
                  <span className="strong">{t("service.perMonth", { amount: formatMoney(a.monthlyPrice) })}</span>
                </li>
              ))}
            </ul>
          )}
        </section>

        <section className="card" aria-labelledby="billing-title" data-testid="service-billing">
          <h2 id="billing-title" className="card__title">
            {t("card.billing")}
          </h2>
          {billing && cycle ? (
            <dl className="facts">
              <div>
                <dt>{t("fin.outstanding")}</dt>
                <dd className={isPositive(billing.outstanding) ? "text-due strong" : "strong"}>{formatMoney(billing.outstanding)}</dd>
              </div>
              <div>
                <dt>{t("invoices.cycle")}</dt>
                <dd data-testid="billing-cycle">
                  {billing.prepaid ? (
                    <>
                      {t("invoices.prepaid")}
                      {service.expiresAt ? (
                        <span className="muted small"> · {t("invoices.paidThrough", { date: formatDate(lastDayCovered(service.expiresAt)) })}</span>
                      ) : null}
                    </>
                  ) : (
                    <>
                      {t("service.monthlyOn", { day: billingDay(cycle.billingDay) })}
                      <span className="muted small"> · {t("invoices.currentPeriod", { period: formatPeriod(cycle.periodStart, cycle.periodEnd) })}</span>
                    </>
                  )}
                </dd>
              </div>
              {billing.prepaid ? null : (
                <div>
                  <dt>{t("service.nextInvoice")}</dt>
                  <dd>{formatDate(cycle.nextInvoiceOn)}</dd>
                </div>
              )}
            </dl>
          ) : null}
          {billing && billing.nextInvoiceAdjustments.length > 0 ? (
            <>
              <h3 className="card__subtitle">{t("service.onNext")}</h3>
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
          <Unavailable backends={down("billing")} missing={{ billing: "missing.chargesOpen" }} />
          {billing?.openInvoiceShares ? <h3 className="card__subtitle">{t("overview.openInvoices")}</h3> : null}
          {!billing?.openInvoiceShares ? null : billing.openInvoiceShares.length === 0 ? (
            <p className="muted">{t("service.noOpen")}</p>
          ) : (
            <ul className="plain-list">
              {billing.openInvoiceShares.map((share, i) => {
                const inv = share.invoice;
                const overdue = share.overdue || share.dueOn < today;
                const dueLine = (
                  <span className={`small ${overdue ? "text-due" : "muted"}`}>
                    {" "}
                    {formatDate(share.dueOn)} ({formatDueIn(share.dueOn, today)})
                  </span>
                );
                return (
                  <li key={inv?.id ?? `account-${i}`} className="plain-list__row" data-testid="invoice-share">
                    <div>
                      {inv ? (
                        <>
                          <span className="strong">{inv.number}</span> <InvoiceBadge status={inv.status} overdue={overdue} />
                        </>
                      ) : (
                        <span className="strong">{t("service.accountInvoice")}</span>
                      )}
                      {dueLine}
                      {share.subServiceCount > 1 ? (
                        <p className="muted small share-note" data-testid="invoice-share-note">
                          {inv
                            ? t("service.shareOf", {
                                number: inv.number,
                                total: formatMoney(inv.total),
                                services: t("count.services", { count: share.subServiceCount }),
                                amount: formatMoney(share.amount),
                              })
                            : t("service.shareOfAccount", {
                                services: t("count.services", { count: share.subServiceCount }),
                                amount: formatMoney(share.amount),
                              })}
                        </p>
                      ) : null}
                    </div>
                    <span className="plain-list__end">
                      <span className="strong" title={t("service.share")}>
                        {formatMoney(share.amount)}
                      </span>
                      {inv ? <InvoicePdfLink id={inv.id} number={inv.number} pdfUrl={inv.pdfUrl} /> : null}
                      {inv && canManageBilling ? <InvoicePayActions invoice={inv} walletBalance={null} /> : null}
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
        <Unavailable backends={down("installments")} missing={{ billing: "missing.installmentPlans" }} />
      ) : service.installments.length > 0 ? (
        <section className="card" aria-labelledby="inst-title">
          <h2 id="inst-title" className="card__title">
            {t("nav.installments")}
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
