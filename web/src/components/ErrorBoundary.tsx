import { Component, type ErrorInfo, type ReactNode } from "react";
import { t } from "../i18n";

/** A rendering bug must never leave a blank page. */
export class ErrorBoundary extends Component<{ children: ReactNode; resetKey?: string }, { failed: boolean }> {
  override state = { failed: false };

  static getDerivedStateFromError(): { failed: boolean } {
    return { failed: true };
  }

  override componentDidCatch(error: unknown, info: ErrorInfo): void {
    console.error("Portal view failed", error, info.componentStack);
  }

  override componentDidUpdate(prev: { resetKey?: string }): void {
    if (this.state.failed && prev.resetKey !== this.props.resetKey) this.setState({ failed: false });
  }

  override render(): ReactNode {
    if (!this.state.failed) return this.props.children;
    return (
      <div className="banner banner--error" role="alert">
        <div className="banner__text">
          <strong>{t("errorBoundary.title")}</strong>
          <span>{t("errorBoundary.detail")}</span>
        </div>
        <button type="button" className="btn btn--small" onClick={() => window.location.reload()}>
          {t("errorBoundary.reload")}
        </button>
      </div>
    );
  }
}
