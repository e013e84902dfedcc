import { countOf } from "../format";

/** "Showing 20 of 45 invoices" with a "Show more" button, or "All 3 invoices shown" once all are there. `noun`
 * is the singular ("invoice"); `plural` defaults to it plus "s". */
export function ShowMore({
  shown,
  total,
  hasMore,
  loading,
  onMore,
  noun,
  plural,
}: {
  shown: number;
  total: number | null;
  hasMore: boolean;
  loading: boolean;
  onMore: () => void;
  noun: string;
  plural?: string;
}) {
  if (total === null || (total <= shown && !hasMore)) {
    if (total === null || total === 0) return null;
    return <p className="show-more__count">{total === 1 ? `${countOf(1, noun, plural)} shown` : `All ${countOf(total, noun, plural)} shown`}</p>;
  }
  return (
    <div className="show-more">
      <p className="show-more__count" aria-live="polite">
        Showing {shown} of {countOf(total, noun, plural)}
      </p>
      {hasMore ? (
        <button type="button" className="btn btn--secondary" onClick={onMore} disabled={loading} data-testid="show-more">
          {loading ? "Loading…" : "Show more"}
        </button>
      ) : null}
    </div>
  );
}
