import { useEffect, useId, useRef, type ReactNode } from "react";
import { t } from "../i18n";

/**
 * A modal confirmation on the native <dialog>: focus is trapped and Escape cancels (the browser does both), the
 * confirm button gets focus first. Used before anything that moves money or removes a card.
 */
export function ConfirmDialog({
  open,
  title,
  children,
  confirmText,
  busyText = t("common.working"),
  busy = false,
  danger = false,
  error,
  onConfirm,
  onCancel,
  testId,
}: {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmText: string;
  busyText?: string;
  busy?: boolean;
  danger?: boolean;
  error?: string | null;
  onConfirm: () => void;
  onCancel: () => void;
  testId?: string;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      if (typeof dialog.showModal === "function") dialog.showModal();
      else dialog.setAttribute("open", "");
    } else if (!open && dialog.open) dialog.close();
  }, [open]);

  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby={titleId}
      data-testid={testId}
      onCancel={(e) => {
        e.preventDefault();
        if (!busy) onCancel();
      }}
    >
      {open ? (
        <form
          method="dialog"
          className="dialog__body"
          onSubmit={(e) => {
            e.preventDefault();
            if (!busy) onConfirm();
          }}
        >
          <h2 id={titleId} className="dialog__title">
            {title}
          </h2>
          <div className="dialog__text">{children}</div>
          <p className="form-error" role="alert" aria-live="assertive">
            {error ?? ""}
          </p>
          <div className="dialog__actions">
            <button type="button" className="btn btn--ghost" onClick={onCancel} disabled={busy} data-testid="confirm-cancel">
              {t("common.cancel")}
            </button>
            <button
              type="submit"
              className={`btn ${danger ? "btn--danger" : "btn--primary"}`}
              disabled={busy}
              autoFocus
              data-testid="confirm-ok"
            >
              {busy ? busyText : confirmText}
            </button>
          </div>
        </form>
      ) : null}
    </dialog>
  );
}
