import { graphql } from "../gql";
import type { InstallmentFieldsFragment } from "../gql/graphql";
import { formatDate, formatMoney } from "../format";
import { t } from "../i18n";
import { Progress } from "./Progress";

export const InstallmentFields = graphql(`
  fragment InstallmentFields on InstallmentPlan {
    description
    total {
      amount
      currency
    }
    paid {
      amount
      currency
    }
    remaining {
      amount
      currency
    }
    amountEach {
      amount
      currency
    }
    installmentsTotal
    installmentsPaid
    nextDueOn
    progress
  }
`);

export function InstallmentRow({ plan, serviceLabel }: { plan: InstallmentFieldsFragment; serviceLabel?: string }) {
  const done = plan.installmentsPaid >= plan.installmentsTotal;
  return (
    <li className="installment" data-testid="installment-row">
      <div className="installment__head">
        <div>
          <p className="installment__title">{plan.description}</p>
          {serviceLabel ? <p className="muted small">{serviceLabel}</p> : null}
        </div>
        <span className={`badge ${done ? "badge--active" : "badge--neutral"}`}>{done ? t("installments.paidOff") : t("installments.inProgress")}</span>
      </div>
      <Progress
        value={plan.progress}
        label={t("installments.progress", { paid: plan.installmentsPaid, count: plan.installmentsTotal })}
      />
      <dl className="installment__facts">
        <div>
          <dt>{t("installments.paid")}</dt>
          <dd>{formatMoney(plan.paid)}</dd>
        </div>
        <div>
          <dt>{t("installments.remaining")}</dt>
          <dd>{formatMoney(plan.remaining)}</dd>
        </div>
        <div>
          <dt>{t("invoices.col.total")}</dt>
          <dd>{formatMoney(plan.total)}</dd>
        </div>
        <div>
          <dt>{t("installments.each")}</dt>
          <dd>{formatMoney(plan.amountEach)}</dd>
        </div>
        <div>
          <dt>{t("installments.nextDue")}</dt>
          <dd>{done ? "—" : formatDate(plan.nextDueOn)}</dd>
        </div>
      </dl>
    </li>
  );
}
