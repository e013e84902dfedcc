import { Link } from "react-router-dom";
import { graphql } from "../gql";
import type { FinancialStripFragment } from "../gql/graphql";
import { compareDecimal, formatDate, formatDueIn, formatMoney, isPositive, todayIso } from "../format";

export const FinancialStripFields = graphql(`
  fragment FinancialStrip on FinancialSummary {
    outstanding {
      amount
      currency
    }
    overdue {
      amount
      currency
    }
    nextDueOn
    walletBalance {
      amount
      currency
    }
    monthlyCharges {
      amount
      currency
    }
    outstandingOnAccountInvoices {
      amount
      currency
    }
  }
`);

/** Outstanding, overdue, next due date and wallet balance, with a call to action when something is due. */
export function FinancialStrip({ summary }: { summary: FinancialStripFragment }) {
  const overdue = isPositive(summary.overdue);
  const due = isPositive(summary.outstanding);
  // A SITE user's sites may be billed on the account's consolidated invoice, which they do not list: then the
  // amount is theirs to know, not to pay, and "View open invoices" would open an empty list.
  const onAccount = summary.outstandingOnAccountInvoices;
  const allOnAccount = isPositive(onAccount) && compareDecimal(onAccount.amount, summary.outstanding.amount) >= 0;
  return (
    <section
      className={`fin-strip ${overdue ? "fin-strip--overdue" : due ? "fin-strip--due" : ""}`}
      aria-label="Account balance"
      data-testid="financial-summary"
    >
      <dl className="fin-strip__stats">
        <div className="stat">
          <dt>Outstanding</dt>
          <dd className="stat__value">{formatMoney(summary.outstanding)}</dd>
        </div>
        <div className={`stat ${overdue ? "stat--alert" : ""}`}>
          <dt>Overdue</dt>
          <dd className="stat__value">{formatMoney(summary.overdue)}</dd>
        </div>
        <div className="stat">
          <dt>Next due date</dt>
          <dd className="stat__value">{summary.nextDueOn ? formatDate(summary.nextDueOn) : "Nothing due"}</dd>
          {summary.nextDueOn && due ? <dd className="stat__hint">{formatDueIn(summary.nextDueOn, todayIso())}</dd> : null}
        </div>
        {summary.walletBalance ? (
          <div className="stat">
            <dt>Wallet balance</dt>
            <dd className="stat__value" data-testid="wallet-balance">
              {formatMoney(summary.walletBalance)}
            </dd>
          </div>
        ) : null}
      </dl>
      {due && allOnAccount ? (
        <div className="fin-strip__cta" data-testid="due-on-account">
          <p>
            {formatMoney(summary.outstanding)} {overdue ? "is overdue" : "is due"} for your sites
            {summary.nextDueOn ? ` by ${formatDate(summary.nextDueOn)}` : ""}. It is billed on the account's
            consolidated invoice, which the account's billing contacts pay; each service's page shows its share.
          </p>
        </div>
      ) : due ? (
        <div className="fin-strip__cta">
          <p>
            {overdue
              ? `You have ${formatMoney(summary.overdue)} overdue. Paying it restores any service suspended for non-payment.`
              : `${formatMoney(summary.outstanding)} is due${summary.nextDueOn ? ` by ${formatDate(summary.nextDueOn)}` : ""}.`}
          </p>
          <Link className={`btn ${overdue ? "btn--danger" : "btn--primary"}`} to="/invoices?tab=open" data-testid="cta-invoices">
            View open invoices
          </Link>
        </div>
      ) : (
        <div className="fin-strip__cta fin-strip__cta--ok">
          <p>No payment due — you're all set.</p>
        </div>
      )}
    </section>
  );
}
