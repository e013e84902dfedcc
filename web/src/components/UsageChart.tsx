import { useId } from "react";
import { formatDate, formatGB, formatPeriod } from "../format";
import { intlLocale, t as tr } from "../i18n";

// Daily download/upload bars drawn as plain SVG (attributes only, no inline styles).

export interface UsagePoint {
  date: string;
  downloadBytes: number;
  uploadBytes: number;
}

const WIDTH = 720;
const HEIGHT = 240;
const PAD = { top: 12, right: 8, bottom: 28, left: 52 };

/** A round axis maximum in GB: 1, 2, 5, 10, 20, 50… */
function niceMaxGB(maxBytes: number): number {
  const gb = maxBytes / 1e9;
  if (gb <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(gb));
  for (const step of [1, 2, 2.5, 5, 10]) {
    if (gb <= step * magnitude) return step * magnitude;
  }
  return 10 * magnitude;
}

function shortDate(iso: string): string {
  // "Dec 2", "2 dic", "2 de dez." — the day and month as the language writes them, on the UTC calendar.
  const d = new Date(`${iso}T00:00:00Z`);
  if (Number.isNaN(d.getTime())) return formatDate(iso);
  return new Intl.DateTimeFormat(intlLocale(), { day: "numeric", month: "short", timeZone: "UTC" }).format(d);
}

export function UsageChart({
  from,
  to,
  days,
  downloadBytes,
  uploadBytes,
}: {
  from: string;
  to: string;
  days: readonly UsagePoint[];
  downloadBytes: number;
  uploadBytes: number;
}) {
  const titleId = useId();
  const descId = useId();
  const maxGB = niceMaxGB(Math.max(0, ...days.map((d) => Math.max(d.downloadBytes, d.uploadBytes))));
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const slot = days.length > 0 ? plotW / days.length : plotW;
  const barW = Math.max(1, slot * 0.38);
  const y = (bytes: number) => PAD.top + plotH - (Math.min(bytes / 1e9, maxGB) / maxGB) * plotH;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => f * maxGB);
  const labelEvery = Math.max(1, Math.ceil(days.length / 6));
  const period = formatPeriod(from, to);

  return (
    <figure className="usage" data-testid="usage-chart">
      <div className="usage__totals">
        <div>
          <span className="legend legend--down" aria-hidden="true" />
          <span className="usage__label">{tr("usage.download")}</span>
          <strong>{formatGB(downloadBytes)}</strong>
        </div>
        <div>
          <span className="legend legend--up" aria-hidden="true" />
          <span className="usage__label">{tr("usage.upload")}</span>
          <strong>{formatGB(uploadBytes)}</strong>
        </div>
        <div className="usage__period">{period}</div>
      </div>
      {days.length === 0 ? (
        <p className="muted">{tr("usage.none", { period })}</p>
      ) : (
        <svg
          className="usage__svg"
          viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
          role="img"
          aria-labelledby={`${titleId} ${descId}`}
          preserveAspectRatio="xMidYMid meet"
        >
          <title id={titleId}>{tr("usage.title", { period })}</title>
          <desc id={descId}>
            {tr("usage.desc", { down: formatGB(downloadBytes), up: formatGB(uploadBytes) })}
          </desc>
          {ticks.map((t) => (
            <g key={t} className="usage__grid">
              <line x1={PAD.left} x2={WIDTH - PAD.right} y1={y(t * 1e9)} y2={y(t * 1e9)} />
              <text x={PAD.left - 6} y={y(t * 1e9) + 4} textAnchor="end">
                {formatGB(t * 1e9)}
              </text>
            </g>
          ))}
          {days.map((d, i) => {
            const x = PAD.left + i * slot + (slot - barW * 2) / 2;
            const base = PAD.top + plotH;
            return (
              <g key={d.date}>
                <rect className="usage__bar usage__bar--down" x={x} y={y(d.downloadBytes)} width={barW} height={base - y(d.downloadBytes)} rx={1}>
                  <title>{tr("usage.barDown", { date: formatDate(d.date), amount: formatGB(d.downloadBytes) })}</title>
                </rect>
                <rect className="usage__bar usage__bar--up" x={x + barW} y={y(d.uploadBytes)} width={barW} height={base - y(d.uploadBytes)} rx={1}>
                  <title>{tr("usage.barUp", { date: formatDate(d.date), amount: formatGB(d.uploadBytes) })}</title>
                </rect>
                {i % labelEvery === 0 ? (
                  <text className="usage__xlabel" x={PAD.left + i * slot + slot / 2} y={HEIGHT - 8} textAnchor="middle">
                    {shortDate(d.date)}
                  </text>
                ) : null}
              </g>
            );
          })}
        </svg>
      )}
      {days.length > 0 ? (
        <details className="usage__table">
          <summary>{tr("usage.showDaily")}</summary>
          <div className="table-wrap">
            <table className="table table--compact">
              <caption className="sr-only">{tr("usage.daily")}</caption>
              <thead>
                <tr>
                  <th scope="col">{tr("usage.date")}</th>
                  <th scope="col" className="num">{tr("usage.download")}</th>
                  <th scope="col" className="num">{tr("usage.upload")}</th>
                </tr>
              </thead>
              <tbody>
                {days.map((d) => (
                  <tr key={d.date}>
                    <td>{formatDate(d.date)}</td>
                    <td className="num">{formatGB(d.downloadBytes)}</td>
                    <td className="num">{formatGB(d.uploadBytes)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </details>
      ) : null}
    </figure>
  );
}
