import { useRef, type ReactNode } from "react";
import { currentLocale } from "../i18n";

// Document links (invoice PDFs, statements) are short-lived signed URLs. The link works as a plain
// `<a href download>`; if the page has been open long enough for it to expire, a click fetches a fresh one first.

const DEFAULT_MAX_AGE_MS = 4 * 60 * 1000;

/** The document printed in the language on screen: `lang` rides outside the link's signature. */
export function withLanguage(href: string): string {
  return `${href}${href.includes("?") ? "&" : "?"}lang=${currentLocale()}`;
}

export function SignedLink({
  href,
  filename,
  expiresAt,
  refresh,
  className,
  testId,
  children,
  ariaLabel,
}: {
  href: string;
  filename?: string;
  /** When the server says the link expires; otherwise it is assumed good for four minutes after render. */
  expiresAt?: string | null;
  refresh: () => Promise<string | null>;
  className?: string;
  testId?: string;
  ariaLabel?: string;
  children: ReactNode;
}) {
  const renderedAt = useRef(Date.now());
  const lastHref = useRef(href);
  if (lastHref.current !== href) {
    lastHref.current = href;
    renderedAt.current = Date.now();
  }

  const stale = (): boolean => {
    const now = Date.now();
    if (expiresAt) {
      const exp = Date.parse(expiresAt);
      if (!Number.isNaN(exp)) return exp - now < 20_000;
    }
    return now - renderedAt.current > DEFAULT_MAX_AGE_MS;
  };

  return (
    <a
      href={withLanguage(href)}
      download={filename ?? ""}
      className={className}
      data-testid={testId}
      aria-label={ariaLabel}
      onClick={(event) => {
        if (!stale()) return;
        event.preventDefault();
        void refresh().then((fresh) => {
          if (fresh) window.location.assign(withLanguage(fresh));
        });
      }}
    >
      {children}
    </a>
  );
}
