import { formatDateTime } from "../format";
import { t } from "../i18n";

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
    ? t("sla.firstMet")
    : sla.firstResponseBreached
      ? t("sla.firstOverdue")
      : sla.firstResponseDueAt
        ? t("sla.firstDue", { date: formatDateTime(sla.firstResponseDueAt) })
        : t("sla.awaiting");
  return (
    <div className={`sla sla--${state}`} data-testid="sla" data-first-response={sla.firstResponseMet ? "met" : sla.firstResponseBreached ? "breached" : "pending"}>
      <div className="progress__head">
        <span>{sla.resolutionMet ? t("sla.resolvedInTime") : sla.resolutionBreached ? t("sla.resolutionOverdue") : t("sla.resolveBy", { date: formatDateTime(sla.resolutionDueAt) })}</span>
        <span className="progress__pct">{Math.round(sla.elapsedPercent)}%</span>
      </div>
      <progress className="progress__bar" value={fraction} max={1} aria-label={t("sla.label")}>
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
