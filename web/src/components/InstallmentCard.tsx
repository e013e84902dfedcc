import { graphql } from "../gql";
import type { InstallmentFieldsFragment } from "../gql/graphql";
import { countOf, formatDate, formatMoney } from "../format";
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
        <span className={`badge ${done ? "badge--active" : "badge--neutral"}`}>{done ? "Paid off" : "In progress"}</span>
      </div>
      <Progress
        value={plan.progress}
        label={`${plan.installmentsPaid} of ${countOf(plan.installmentsTotal, "installment")} paid`}
      />
      <dl className="installment__facts">
        <div>
          <dt>Paid</dt>
          <dd>{formatMoney(plan.paid)}</dd>
        </div>
        <div>
          <dt>Remaining</dt>
          <dd>{formatMoney(plan.remaining)}</dd>
        </div>
        <div>
          <dt>Total</dt>
          <dd>{formatMoney(plan.total)}</dd>
        </div>
        <div>
          <dt>Each</dt>
          <dd>{formatMoney(plan.amountEach)}</dd>
        </div>
        <div>
          <dt>Next due</dt>
          <dd>{done ? "—" : formatDate(plan.nextDueOn)}</dd>
        </div>
      </dl>
    </li>
  );
}
