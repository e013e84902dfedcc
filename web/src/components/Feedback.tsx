import type { CombinedError } from "@urql/core";
import type { ReactNode } from "react";
import { describeError } from "../api/errors";
import { AlertIcon } from "./Icons";
import { t as translate } from "../i18n";

// Loading, empty and error states: the page is never blank.

export function Spinner({ label = translate("common.loading") }: { label?: string }) {
  return (
    <div className="spinner" role="status" aria-live="polite">
      <span className="spinner__ring" aria-hidden="true" />
      <span className="spinner__label">{label}</span>
    </div>
  );
}

export function Skeleton({ lines = 3, className }: { lines?: number; className?: string }) {
  return (
    <div className={`skeleton ${className ?? ""}`} aria-hidden="true">
      {Array.from({ length: lines }, (_, i) => (
        <span key={i} className="skeleton__line" />
      ))}
    </div>
  );
}

export function CardSkeletons({ count = 3 }: { count?: number }) {
  return (
    <div className="card-grid" role="status" aria-label={translate("common.loadingShort")}>
      {Array.from({ length: count }, (_, i) => (
        <div key={i} className="card card--skeleton">
          <Skeleton lines={4} />
        </div>
      ))}
    </div>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <p className="empty__title">{title}</p>
      {children ? <div className="empty__body">{children}</div> : null}
    </div>
  );
}

export function ErrorBanner({ error, onRetry }: { error: CombinedError; onRetry?: () => void }) {
  const friendly = describeError(error);
  return (
    <div className="banner banner--error" role="alert" data-testid="error-banner">
      <AlertIcon className="banner__icon" />
      <div className="banner__text">
        <strong>{friendly.title}</strong>
        <span>{friendly.detail}</span>
      </div>
      {onRetry && friendly.retryable ? (
        <button type="button" className="btn btn--small" onClick={onRetry}>
          {translate("common.tryAgain")}
        </button>
      ) : null}
    </div>
  );
}

export function Notice({ tone = "info", children }: { tone?: "info" | "warning" | "success"; children: ReactNode }) {
  return (
    <div className={`banner banner--${tone}`} role="status">
      <div className="banner__text">{children}</div>
    </div>
  );
}
