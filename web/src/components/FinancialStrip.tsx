import { Link } from "react-router-dom";
import { graphql } from "../gql";
import type { FinancialStripFragment } from "../gql/graphql";
import { compareDecimal, formatDate, formatDueIn, formatMoney, isPositive, todayIso } from "../format";
import { useT } from "../i18n/I18nProvider";

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
  const t = useT();
  const overdue = isPositive(summary.overdue);
  const due = isPositive(summary.outstanding);
  // A SITE user's sites may be billed on the account's consolidated invoice, which they do not list: then the
  // amount is theirs to know, not to pay, and "View open invoices" would open an empty list.
  const onAccount = summary.outstandingOnAccountInvoices;
  const allOnAccount = isPositive(onAccount) && compareDecimal(onAccount.amount, summary.outstanding.amount) >= 0;
  return (
    <section
      className={`fin-strip ${overdue ? "fin-strip--overdue" : due ? "fin-strip--due" : ""}`}
      aria-label={t("fin.label")}
      data-testid="financial-summary"
    >
      <dl className="fin-strip__stats">
        <div className="stat">
          <dt>{t("fin.outstanding")}</dt>
          <dd className="stat__value">{formatMoney(summary.outstanding)}</dd>
        </div>
        <div className={`stat ${overdue ? "stat--alert" : ""}`}>
          <dt>{t("fin.overdue")}</dt>
          <dd className="stat__value">{formatMoney(summary.overdue)}</dd>
        </div>
        <div className="stat">
          <dt>{t("fin.nextDue")}</dt>
          <dd className="stat__value">{summary.nextDueOn ? formatDate(summary.nextDueOn) : t("fin.nothingDue")}</dd>
          {summary.nextDueOn && due ? <dd className="stat__hint">{formatDueIn(summary.nextDueOn, todayIso())}</dd> : null}
        </div>
        {summary.walletBalance ? (
          <div className="stat">
            <dt>{t("fin.wallet")}</dt>
            <dd className="stat__value" data-testid="wallet-balance">
              {formatMoney(summary.walletBalance)}
            </dd>
          </div>
        ) : null}
      </dl>
      {due && allOnAccount ? (
        <div className="fin-strip__cta" data-testid="due-on-account">
          <p>
            {t(overdue ? "fin.onAccountOverdue" : summary.nextDueOn ? "fin.onAccountDueBy" : "fin.onAccountDue", {
              amount: formatMoney(summary.outstanding),
              date: summary.nextDueOn ? formatDate(summary.nextDueOn) : "",
            })}
          </p>
        </div>
      ) : due ? (
        <div className="fin-strip__cta">
          <p>
            {overdue
              ? t("fin.youHaveOverdue", { amount: formatMoney(summary.overdue) })
              : summary.nextDueOn
                ? t("fin.dueBy", { amount: formatMoney(summary.outstanding), date: formatDate(summary.nextDueOn) })
                : t("fin.due", { amount: formatMoney(summary.outstanding) })}
          </p>
          <Link className={`btn ${overdue ? "btn--danger" : "btn--primary"}`} to="/invoices?tab=open" data-testid="cta-invoices">
            {t("fin.viewOpen")}
          </Link>
        </div>
      ) : (
        <div className="fin-strip__cta fin-strip__cta--ok">
          <p>{t("fin.allSet")}</p>
        </div>
      )}
    </section>
  );
}
