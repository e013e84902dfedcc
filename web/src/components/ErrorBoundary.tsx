import { Component, type ErrorInfo, type ReactNode } from "react";

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
          <strong>This page could not be displayed</strong>
          <span>Please reload the page. If it keeps happening, contact your provider.</span>
        </div>
        <button type="button" className="btn btn--small" onClick={() => window.location.reload()}>
          Reload
        </button>
      </div>
    );
  }
}
