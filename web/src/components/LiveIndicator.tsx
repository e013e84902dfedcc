import { useLiveStatus } from "../api/useLive";
import { useT } from "../i18n/I18nProvider";

/** A small "Live" / "Reconnecting…" marker next to data that updates by itself. */
export function LiveIndicator() {
  const status = useLiveStatus();
  const live = status === "live";
  const t = useT();
  const text = live ? t("live.on") : status === "reconnecting" ? t("live.reconnecting") : t("live.connecting");
  return (
    <span className={`live live--${status}`} data-testid="live-indicator" data-status={status} role="status">
      <span className="live__dot" aria-hidden="true" />
      <span className="live__text">{status === "idle" ? t("live.on") : text}</span>
    </span>
  );
}
