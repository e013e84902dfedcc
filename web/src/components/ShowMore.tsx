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
  noun: string;
}) {
  if (total === null || (total <= shown && !hasMore)) {
    return total !== null && total > 0 ? <p className="show-more__count">All {total} {noun} shown</p> : null;
  }
  return (
    <div className="show-more">
      <p className="show-more__count" aria-live="polite">
        Showing {shown} of {total} {noun}
      </p>
      {hasMore ? (
        <button type="button" className="btn btn--secondary" onClick={onMore} disabled={loading} data-testid="show-more">
          {loading ? "Loading…" : "Show more"}
        </button>
      ) : null}
    </div>
  );
}
