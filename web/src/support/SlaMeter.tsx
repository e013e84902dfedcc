import { formatDateTime } from "../format";

// The ticket's service level in one glance: how much of the resolution window is used, and whether support
// answered / resolved in time.

interface SlaView {
  resolutionDueAt: string;
  firstResponseMet: boolean;
  firstResponseBreached: boolean;
  resolutionBreached: boolean;
  elapsedPercent: number;
  firstResponseDueAt?: string;
  resolutionMet?: boolean;
}

export function SlaMeter({ sla, compact }: { sla: SlaView; compact?: boolean }) {
  const fraction = Math.min(1, Math.max(0, sla.elapsedPercent / 100));
  const state = sla.resolutionBreached ? "breached" : sla.resolutionMet ? "met" : fraction > 0.75 ? "late" : "ok";
  const first = sla.firstResponseMet
    ? "First response: met"
    : sla.firstResponseBreached
      ? "First response: overdue"
      : sla.firstResponseDueAt
        ? `First response due ${formatDateTime(sla.firstResponseDueAt)}`
        : "Awaiting first response";
  return (
    <div className={`sla sla--${state}`} data-testid="sla" data-first-response={sla.firstResponseMet ? "met" : sla.firstResponseBreached ? "breached" : "pending"}>
      <div className="progress__head">
        <span>{sla.resolutionMet ? "Resolved in time" : sla.resolutionBreached ? "Resolution overdue" : `Resolve by ${formatDateTime(sla.resolutionDueAt)}`}</span>
        <span className="progress__pct">{Math.round(sla.elapsedPercent)}%</span>
      </div>
      <progress className="progress__bar" value={fraction} max={1} aria-label="Service level time used">
        {Math.round(sla.elapsedPercent)}%
      </progress>
      {compact ? null : (
        <p className="small muted" data-testid="sla-first-response">
          {first}
        </p>
      )}
    </div>
  );
}
