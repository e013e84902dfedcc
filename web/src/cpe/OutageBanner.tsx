import { useState } from "react";
import { Link } from "react-router-dom";
import { useQuery } from "urql";
import { useLiveSubscription, useResync } from "../api/useLive";
import { formatDateTime } from "../format";
import type { IncidentFieldsFragment } from "../gql/graphql";
import { ServiceIncidentChangedSubscription, ServiceIncidentsQuery } from "./operations";

type Incident = IncidentFieldsFragment;

/** The incidents as last read, with what the server has told since: an open one added or updated, a resolved
 * one removed. */
export function mergeIncident(current: readonly Incident[], told: Incident): Incident[] {
  const others = current.filter((i) => i.reference !== told.reference);
  return told.status === "RESOLVED" ? others : [...others, told];
}

export function incidentHeadline(incident: Incident): string {
  const word = incident.kind === "OUTAGE" ? "Outage" : "Planned maintenance";
  return `${word}: ${incident.title}`;
}

export function incidentWhen(incident: Incident): string {
  if (incident.planned) {
    const until = incident.estimatedEnd ? ` until about ${formatDateTime(incident.estimatedEnd)}` : "";
    return `From ${formatDateTime(incident.startsAt)}${until}.`;
  }
  return incident.estimatedEnd
    ? `Service should be back by about ${formatDateTime(incident.estimatedEnd)}.`
    : "We do not have an estimate yet.";
}

/** The dashboard's banner of outages and planned work affecting the viewer's services, kept live. */
export function OutageBanner() {
  const [result, refetch] = useQuery({ query: ServiceIncidentsQuery });
  const [told, setTold] = useState<{ base: unknown; list: Incident[] } | null>(null);
  const loaded = result.data?.viewer?.subscriber?.serviceIncidents ?? null;
  // What the server said since the last read applies on top of that read; a new read starts afresh.
  const incidents = told && told.base === loaded ? told.list : (loaded ?? []);
  useLiveSubscription(ServiceIncidentChangedSubscription, {}, ({ serviceIncidentChanged }) => {
    setTold((prev) => ({
      base: loaded,
      list: mergeIncident(prev && prev.base === loaded ? prev.list : (loaded ?? []), serviceIncidentChanged),
    }));
  });
  useResync(() => refetch({ requestPolicy: "network-only" }));

  if (incidents.length === 0) return null;
  return (
    <div aria-label="Network incidents">
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
                Affects:{" "}
                {i.affectedSubServices.slice(0, 5).map((s, n) => (
                  <span key={s.id}>
                    {n > 0 ? ", " : ""}
                    <Link to={`/services/${encodeURIComponent(s.id)}`}>{s.label}</Link>
                  </span>
                ))}
                {i.affectedSubServices.length > 5 ? ` and ${i.affectedSubServices.length - 5} more` : ""}
              </span>
            ) : null}
          </div>
        </div>
      ))}
    </div>
  );
}
