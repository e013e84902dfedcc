import { Link } from "react-router-dom";
import { EmptyState } from "../components/Feedback";
import { PageHeader } from "../components/Layout";

export function NotFoundPage() {
  return (
    <>
      <PageHeader title="Page not found" />
      <EmptyState title="We couldn't find that page">
        <Link to="/" className="btn btn--secondary">
          Go to your dashboard
        </Link>
      </EmptyState>
    </>
  );
}
