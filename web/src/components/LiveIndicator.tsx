import { useLiveStatus } from "../api/useLive";

/** A small "Live" / "Reconnecting…" marker next to data that updates by itself. */
export function LiveIndicator() {
  const status = useLiveStatus();
  const live = status === "live";
  const text = live ? "Live" : status === "reconnecting" ? "Reconnecting…" : "Connecting…";
  return (
    <span className={`live live--${status}`} data-testid="live-indicator" data-status={status} role="status">
      <span className="live__dot" aria-hidden="true" />
      <span className="live__text">{status === "idle" ? "Live" : text}</span>
    </span>
  );
}
