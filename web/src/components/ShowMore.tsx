import type { MessageKey } from "../i18n";
import { useT } from "../i18n/I18nProvider";

/** "Showing 20 of 45 invoices" with a "Show more" button, or "All 3 invoices shown" once all are there. `noun`
 * is the singular ("invoice"); `plural` defaults to it plus "s". */
export function ShowMore({
  shown,
  total,
  hasMore,
  loading,
  onMore,
  noun,
}: {
  shown: number;
  total: number | null;
  hasMore: boolean;
  loading: boolean;
  onMore: () => void;
  /** A plural message counting the items: "count.invoices" → "3 invoices". */
  noun: MessageKey;
}) {
  const t = useT();
  if (total === null || (total <= shown && !hasMore)) {
    if (total === null || total === 0) return null;
    return <p className="show-more__count">{total === 1 ? t("showMore.one", { items: t(noun, { count: 1 }) }) : t("showMore.all", { items: t(noun, { count: total }) })}</p>;
  }
  return (
    <div className="show-more">
      <p className="show-more__count" aria-live="polite">
        {t("showMore.some", { shown, items: t(noun, { count: total }) })}
      </p>
      {hasMore ? (
        <button type="button" className="btn btn--secondary" onClick={onMore} disabled={loading} data-testid="show-more">
          {loading ? t("common.loading") : t("showMore.more")}
        </button>
      ) : null}
    </div>
  );
}
