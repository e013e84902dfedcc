import { useEffect } from "react";
import { Link } from "react-router-dom";
import { usePaginated } from "../api/paginate";
import { EmptyState, ErrorBanner, Skeleton } from "../components/Feedback";
import { ServiceKindIcon } from "../components/Icons";
import { InstallmentRow } from "../components/InstallmentCard";
import { PageHeader } from "../components/Layout";
import { Unavailable } from "../components/Unavailable";
import { onlyOutages, outages } from "../api/outage";
import { servicePath } from "../components/SubServiceCard";
import { graphql } from "../gql";
import { t } from "../i18n";

const InstallmentsQuery = graphql(`
  query Installments($first: Int!, $after: String) {
    viewer {
      subscriber {
        id
        subServices(first: $first, after: $after) {
          totalCount
          pageInfo {
            hasNextPage
            endCursor
          }
          nodes {
            id
            label
            kind
            installments {
              ...InstallmentFields
            }
          }
        }
      }
    }
  }
`);

export function InstallmentsPage() {
  const list = usePaginated(InstallmentsQuery, { first: 100 }, (d) => d.viewer?.subscriber.subServices);
  const { hasNextPage, loading, loadingMore, loadMore, error } = list;

  // Every plan across every sub-service: keep loading until all sub-services are in.
  useEffect(() => {
    if (hasNextPage && !loading && !loadingMore && !error) loadMore();
  }, [hasNextPage, loading, loadingMore, loadMore, error]);

  const withPlans = list.items.flatMap((s) => (s.installments && s.installments.length > 0 ? [{ ...s, installments: s.installments }] : []));
  const plans = withPlans.flatMap((s) => s.installments);
  const down = outages(list.error);
  const active = plans.filter((p) => p.installmentsPaid < p.installmentsTotal).length;

  return (
    <>
      <PageHeader
        title={t("nav.installments")}
        subtitle={
          plans.length > 0 ? t("installments.summary", { count: plans.length, active }) : t("installments.subtitle")
        }
      />
      {list.error && !onlyOutages(list.error) ? <ErrorBanner error={list.error} onRetry={list.reload} /> : null}
      <Unavailable backends={down} missing={{ billing: "missing.installmentPlans", crm: "missing.servicesPlans" }} />
      {list.loading ? (
        <div className="card">
          <Skeleton lines={4} />
        </div>
      ) : withPlans.length === 0 && !list.error ? (
        hasNextPage || loadingMore ? (
          <div className="card">
            <Skeleton lines={4} />
          </div>
        ) : (
          <EmptyState title={t("installments.none")}>
            <p>{t("installments.noneHelp")}</p>
          </EmptyState>
        )
      ) : (
        withPlans.map((service) => (
          <section key={service.id} className="card" aria-labelledby={`inst-${service.id}`}>
            <h2 className="card__title" id={`inst-${service.id}`}>
              <ServiceKindIcon kind={service.kind} />
              <Link to={servicePath(service.id)}>{service.label}</Link>
            </h2>
            <ul className="installments">
              {service.installments.map((plan, i) => (
                <InstallmentRow key={`${plan.description}-${i}`} plan={plan} />
              ))}
            </ul>
          </section>
        ))
      )}
      {loadingMore ? <p className="muted small">{t("installments.loadingMore")}</p> : null}
    </>
  );
}
