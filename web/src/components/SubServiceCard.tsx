import { Link } from "react-router-dom";
import { graphql } from "../gql";
import type { SubServiceCardFragment } from "../gql/graphql";
import { formatDate, formatDateTime, formatMoney, formatSpeed, isPositive, lastDayCovered } from "../format";
import { label, SERVICE_KIND_LABEL, statusHint } from "../labels";
import { ServiceKindIcon } from "./Icons";
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
  if (devices.length === 0) return "No devices";
  const online = devices.filter((d) => d.online).length;
  const noun = devices.length === 1 ? "device" : "devices";
  return `${devices.length} ${noun} · ${online} online`;
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
          {service.statusSince ? ` Since ${formatDateTime(service.statusSince)}.` : ""}
        </p>
      ) : null}
      <dl className="svc__facts">
        <div>
          <dt>Plan</dt>
          <dd>
            {service.profile?.planName ?? "—"}
            {speed ? <span className="svc__speed"> {speed}</span> : null}
          </dd>
        </div>
        <div>
          <dt>Devices</dt>
          <dd>{deviceLine(service.devices)}</dd>
        </div>
        {service.liveSession ? (
          <div>
            <dt>Connection</dt>
            <dd data-testid="connection-state">
              <OnlineDot online={service.liveSession.online} label={service.liveSession.online ? "Connected" : "Not connected"} />
            </dd>
          </div>
        ) : null}
        <div>
          <dt>Billing</dt>
          <dd>
            {billing ? (
              <>
                <span className={owes ? "text-due" : ""}>{formatMoney(billing.outstanding)} outstanding</span>
                {billing.cycle.nextInvoiceOn ? (
                  <span className="muted"> · next invoice {formatDate(billing.cycle.nextInvoiceOn)}</span>
                ) : null}
              </>
            ) : (
              <span className="muted">Unavailable right now</span>
            )}
          </dd>
        </div>
        {service.expiresAt ? (
          <div>
            <dt>Prepaid through</dt>
            <dd data-testid="card-paid-through">{formatDate(lastDayCovered(service.expiresAt))}</dd>
          </div>
        ) : null}
      </dl>
    </article>
  );
}
