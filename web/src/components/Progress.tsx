import { formatPercent } from "../format";

/** A labelled progress bar (native <progress>: accessible, and no inline styles, so a strict CSP is fine). */
export function Progress({ value, label, detail }: { value: number; label: string; detail?: string }) {
  const clamped = Math.min(1, Math.max(0, Number.isFinite(value) ? value : 0));
  return (
    <div className="progress">
      <div className="progress__head">
        <span>{label}</span>
        <span className="progress__pct">{detail ?? formatPercent(clamped)}</span>
      </div>
      <progress className="progress__bar" value={clamped} max={1} aria-label={label}>
        {formatPercent(clamped)}
      </progress>
    </div>
  );
}
