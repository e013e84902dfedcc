import { useState } from "react";
import { Link } from "react-router-dom";
import { useLiveSubscription } from "../api/useLive";
import { formatDateTime } from "../format";
import type { IncidentFieldsFragment } from "../gql/graphql";
import { ServiceIncidentChangedSubscription } from "./operations";
import { t } from "../i18n";

type Incident = IncidentFieldsFragment;

/** The incidents as last read, with what the server has told since: an open one added or updated, a resolved
 * one removed. */
export function mergeIncident(current: readonly Incident[], told: Incident): Incident[] {
  const others = current.filter((i) => i.reference !== told.reference);
  return told.status === "RESOLVED" ? others : [...others, told];
}

export function incidentHeadline(incident: Incident): string {
  return t(incident.kind === "OUTAGE" ? "incident.outage" : "incident.maintenance", { title: incident.title });
}

export function incidentWhen(incident: Incident): string {
  if (incident.planned) {
    const start = formatDateTime(incident.startsAt);
    return incident.estimatedEnd
      ? t("incident.fromUntil", { start, end: formatDateTime(incident.estimatedEnd) })
      : t("incident.from", { start });
  }
  return incident.estimatedEnd
    ? t("incident.backBy", { end: formatDateTime(incident.estimatedEnd) })
    : t("incident.noEstimate");
}

/** The dashboard's banner of outages and planned work affecting the viewer's services, kept live. `loaded` is
 * what the dashboard's one operation read (`...IncidentFields` on `serviceIncidents`); the dashboard re-reads it
 * after a reconnect. */
export function OutageBanner({ loaded }: { loaded: readonly Incident[] | null }) {
  const [told, setTold] = useState<{ base: unknown; list: Incident[] } | null>(null);
  // What the server said since the last read applies on top of that read; a new read starts afresh.
  const incidents = told && told.base === loaded ? told.list : (loaded ?? []);
  useLiveSubscription(ServiceIncidentChangedSubscription, {}, ({ serviceIncidentChanged }) => {
    setTold((prev) => ({
      base: loaded,
      list: mergeIncident(prev && prev.base === loaded ? prev.list : (loaded ?? []), serviceIncidentChanged),
    }));
  });

  if (incidents.length === 0) return null;
  return (
    <div aria-label={t("incident.label")}>
      {incidents.map((i) => (
        <div
          key={i.reference}
          className={`banner ${i.kind === "OUTAGE" ? "banner--warning" : "banner--info"}`}
          role="status"
          data-testid="outage-banner"
          data-kind={i.kind}
        >
          <div className="banner__text">
            <strong>{incidentHeadline(i)}</strong>
            {i.message ? <span>{i.message}</span> : null}
            <span>{incidentWhen(i)}</span>
            {i.affectedSubServices.length > 0 ? (
              <span className="small">
                {t("incident.affects")}{" "}
                {i.affectedSubServices.slice(0, 5).map((s, n) => (
                  <span key={s.id}>
                    {n > 0 ? ", " : ""}
                    <Link to={`/services/${encodeURIComponent(s.id)}`}>{s.label}</Link>
                  </span>
                ))}
                {i.affectedSubServices.length > 5 ? ` ${t("incident.andMore", { count: i.affectedSubServices.length - 5 })}` : ""}
              </span>
            ) : null}
          </div>
        </div>
      ))}
    </div>
  );
}
