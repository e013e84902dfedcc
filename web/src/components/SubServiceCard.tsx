import { Link } from "react-router-dom";
import { graphql } from "../gql";
import type { SubServiceCardFragment } from "../gql/graphql";
import { formatDate, formatDateTime, formatMoney, formatSpeed, isPositive, lastDayCovered } from "../format";
import { label, SERVICE_KIND_LABEL, statusHint } from "../labels";
import { ServiceKindIcon } from "./Icons";
import { t } from "../i18n";
import { OnlineDot, StatusBadge } from "./StatusBadge";

export const SubServiceCardFields = graphql(`
  fragment SubServiceCard on SubService {
    id
    label
    location
    kind
    status
    statusReason
    statusSince
    expiresAt
    profile {
      planName
      downMbps
      upMbps
    }
    liveSession {
      online
    }
    devices {
      id
      online
    }
    billing {
      prepaid
      outstanding {
        amount
        currency
      }
      cycle {
        nextInvoiceOn
      }
    }
  }
`);

export function servicePath(id: string): string {
  return `/services/${encodeURIComponent(id)}`;
}

function deviceLine(devices: SubServiceCardFragment["devices"]): string {
  if (devices === null) return "Unavailable right now"; // OSS is down: not "no devices"
  if (devices.length === 0) return t("card.noDevices");
  const online = devices.filter((d) => d.online).length;
  return t("card.devices", { count: devices.length, online });
}

export function SubServiceCard({ service }: { service: SubServiceCardFragment }) {
  const speed = formatSpeed(service.profile?.downMbps, service.profile?.upMbps);
  const hint = service.status ? statusHint(service.status, service.statusReason) : null;
  const billing = service.billing;
  const owes = billing ? isPositive(billing.outstanding) : false;
  return (
    <article
      className={`card svc svc--${(service.status ?? "unknown").toLowerCase()}`}
      data-testid="subservice-card"
      data-status={service.status ?? "UNKNOWN"}
      data-kind={service.kind}
      aria-labelledby={`svc-${service.id}`}
    >
      <header className="svc__head">
        <span className={`svc__kind svc__kind--${service.kind.toLowerCase()}`}>
          <ServiceKindIcon kind={service.kind} />
          <span>{label(SERVICE_KIND_LABEL, service.kind)}</span>
        </span>
        <StatusBadge status={service.status} reason={service.statusReason} />
      </header>
      <h3 className="svc__title" id={`svc-${service.id}`}>
        <Link to={servicePath(service.id)} className="stretched">
          {service.label}
        </Link>
      </h3>
      {service.location ? <p className="svc__location">{service.location}</p> : null}
      {hint ? (
        <p className="svc__hint">
          {hint}
          {service.statusSince ? ` ${t("card.since", { date: formatDateTime(service.statusSince) })}` : ""}
        </p>
      ) : null}
      <dl className="svc__facts">
        <div>
          <dt>{t("card.plan")}</dt>
          <dd>
            {service.profile?.planName ?? "—"}
            {speed ? <span className="svc__speed"> {speed}</span> : null}
          </dd>
        </div>
        <div>
          <dt>{t("card.devicesTitle")}</dt>
          <dd>{deviceLine(service.devices)}</dd>
        </div>
        {service.liveSession ? (
          <div>
            <dt>{t("card.connection")}</dt>
            <dd data-testid="connection-state">
              <OnlineDot online={service.liveSession.online} label={service.liveSession.online ? t("card.connected") : t("card.notConnected")} />
            </dd>
          </div>
        ) : null}
        <div>
          <dt>{t("card.billing")}</dt>
          <dd>
            {billing ? (
              <>
                <span className={owes ? "text-due" : ""}>{t("card.outstanding", { amount: formatMoney(billing.outstanding) })}</span>
                {billing.cycle.nextInvoiceOn ? (
                  <span className="muted"> · {t("card.nextInvoice", { date: formatDate(billing.cycle.nextInvoiceOn) })}</span>
                ) : null}
              </>
            ) : (
              <span className="muted">{t("card.unavailable")}</span>
            )}
          </dd>
        </div>
        {service.expiresAt ? (
          <div>
            <dt>{t("card.prepaidThrough")}</dt>
            <dd data-testid="card-paid-through">{formatDate(lastDayCovered(service.expiresAt))}</dd>
          </div>
        ) : null}
      </dl>
    </article>
  );
}
