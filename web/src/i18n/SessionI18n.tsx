import { Fragment, type ReactNode } from "react";
import { useAuth } from "../api/auth";
import { I18nProvider, useLocale } from "./I18nProvider";

/** The language provider fed by the session: the signed-in viewer's saved choice wins. */
export function SessionI18n({ children }: { children: ReactNode }) {
  const { state } = useAuth();
  const viewerLocale = state.status === "authenticated" ? state.viewer.locale : null;
  return (
    <I18nProvider viewerLocale={viewerLocale}>
      <Remount>{children}</Remount>
    </I18nProvider>
  );
}

/** A language change re-renders everything at once, including what formats outside React (money, dates). */
function Remount({ children }: { children: ReactNode }) {
  const { locale } = useLocale();
  return <Fragment key={locale}>{children}</Fragment>;
}
