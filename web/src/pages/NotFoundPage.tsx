import { Link } from "react-router-dom";
import { EmptyState } from "../components/Feedback";
import { PageHeader } from "../components/Layout";
import { useT } from "../i18n/I18nProvider";

export function NotFoundPage() {
  const t = useT();
  return (
    <>
      <PageHeader title={t("notFound.title")} />
      <EmptyState title={t("notFound.body")}>
        <Link to="/" className="btn btn--secondary">
          {t("notFound.home")}
        </Link>
      </EmptyState>
    </>
  );
}
