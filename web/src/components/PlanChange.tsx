import { useId, useRef, useState } from "react";
import { useMutation, useQuery } from "urql";
import { describeError } from "../api/errors";
import { formatDate, formatMoney, formatSpeed } from "../format";
import { graphql } from "../gql";
import type { ChangePlanErrorCode } from "../gql/graphql";
import { newIdempotencyKey } from "../money";
import { SERVER, userErrorText, type WordingOf } from "../userErrors";
import { t } from "../i18n";
import { rich } from "../i18n/rich";

// "Change plan" on a sub-service's page: the plans its kind offers, Billing's proration preview of the one chosen,
// then the change. An upgrade is in force at once (the page's speed follows `serviceStatusChanged`); a downgrade
// waits for the next period and shows as pending until then.

/** A sub-service's speeds as they change (an upgrade provisioned, a downgrade that took effect), pushed. */
export const ServiceProfileSubscription = graphql(`
  subscription ServiceProfile {
    serviceStatusChanged {
      id
      profile {
        planName
        downMbps
        upMbps
      }
    }
  }
`);

const SubServicePlansQuery = graphql(`
  query SubServicePlans($id: ID!) {
    node(id: $id) {
      ... on SubService {
        id
        availablePlans {
          code
          name
          monthlyPrice {
            amount
            currency
          }
          downMbps
          upMbps
          dataCapGb
          current
        }
        pendingPlanChange {
          plan {
            code
            name
          }
          effectiveOn
        }
      }
    }
  }
`);

const PlanChangePreviewQuery = graphql(`
  query PlanChangePreview($id: ID!, $planCode: String!) {
    node(id: $id) {
      ... on SubService {
        id
        planChangePreview(planCode: $planCode) {
          preview {
            direction
            effectiveOn
            periodEnd
            daysRemaining
            credit {
              amount
              currency
            }
            charge {
              amount
              currency
            }
            net {
              amount
              currency
            }
            nextMonthlyCharge {
              amount
              currency
            }
            replacesScheduled
            newPlan {
              code
              name
              downMbps
              upMbps
            }
          }
          userErrors {
            field
            message
            code
          }
        }
      }
    }
  }
`);

const ChangePlanMutation = graphql(`
  mutation ChangePlan($input: ChangePlanInput!) {
    changePlan(input: $input) {
      subService {
        id
        profile {
          planName
          downMbps
          upMbps
        }
        pendingPlanChange {
          plan {
            code
            name
          }
          effectiveOn
        }
      }
      planChange {
        status
        preview {
          effectiveOn
          newPlan {
            name
          }
        }
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`);

// The shared stylesheet sizes every input as a text field; a radio keeps its own size.
const RADIO = { width: "auto", minHeight: 0, padding: 0, marginRight: 8 } as const;

export const CHANGE_PLAN: WordingOf<ChangePlanErrorCode> = {
  NOT_FOUND: SERVER,
  UNKNOWN_PLAN: "userError.unknownPlan",
  SAME_PLAN: "userError.samePlan",
  PREPAID: SERVER,
  SERVICE_SUSPENDED: "userError.suspendedPlan",
  IDEMPOTENCY_KEY_INVALID: SERVER,
  IDEMPOTENCY_CONFLICT: SERVER,
  REFUSED: SERVER,
};

export function PlanChange({ serviceId, canChange, onChanged }: { serviceId: string; canChange: boolean; onChanged?: () => void }) {
  const [open, setOpen] = useState(false);
  const [chosen, setChosen] = useState<string | null>(null);
  const [plans, refetchPlans] = useQuery({ query: SubServicePlansQuery, variables: { id: serviceId } });
  const [preview] = useQuery({
    query: PlanChangePreviewQuery,
    variables: { id: serviceId, planCode: chosen ?? "" },
    pause: !open || chosen === null,
    requestPolicy: "network-only",
  });
  const [, change] = useMutation(ChangePlanMutation);
  const key = useRef<{ plan: string; key: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const groupId = useId();

  const node = plans.data?.node;
  const service = node && "availablePlans" in node ? node : null;
  const pending = service?.pendingPlanChange ?? null;
  const result = preview.data?.node && "planChangePreview" in preview.data.node ? preview.data.node.planChangePreview : null;
  const shown = result?.preview && result.preview.newPlan.code === chosen ? result.preview : null;
  const refusal = result && result.userErrors.length > 0 ? userErrorText(result.userErrors, CHANGE_PLAN) : null;

  async function confirm() {
    if (busy || !chosen) return;
    setBusy(true);
    setError(null);
    if (key.current?.plan !== chosen) key.current = { plan: chosen, key: newIdempotencyKey() };
    const answer = await change({ input: { subServiceId: serviceId, planCode: chosen, idempotencyKey: key.current.key } });
    setBusy(false);
    const payload = answer.data?.changePlan;
    if (payload && payload.userErrors.length > 0) {
      key.current = null;
      setError(userErrorText(payload.userErrors, CHANGE_PLAN));
      return;
    }
    if (!payload?.planChange) {
      // Kept: a retry with the same key finishes this change rather than making another.
      setError(answer.error ? t("pay.failedTryAgain", { reason: describeError(answer.error).title }) : t("common.pleaseTryAgain"));
      return;
    }
    key.current = null;
    const name = payload.planChange.preview.newPlan.name;
    setDone(
      payload.planChange.status === "APPLIED"
        ? t("plan.nowOn", { name })
        : t("plan.startsOn", { name, date: formatDate(payload.planChange.preview.effectiveOn) }),
    );
    setOpen(false);
    setChosen(null);
    refetchPlans({ requestPolicy: "network-only" }); // the current plan, or the pending one, moved
    onChanged?.();
  }

  return (
    <div className="plan-change" data-testid="plan-change">
      {pending ? (
        <p className="small" data-testid="pending-plan-change">
          {rich("plan.moving", { name: <span className="strong">{pending.plan.name}</span>, date: formatDate(pending.effectiveOn) })}
        </p>
      ) : null}
      <p className="form-success" role="status" aria-live="polite" data-testid="plan-change-result">
        {done ?? ""}
      </p>
      {canChange && service && service.availablePlans && service.availablePlans.length > 1 && !open ? (
        <button
          type="button"
          className="btn btn--secondary btn--small"
          onClick={() => {
            setOpen(true);
            setDone(null);
          }}
          data-testid="change-plan"
        >
          {t("plan.change")}
        </button>
      ) : null}
      {open && service?.availablePlans ? (
        <form
          className="form"
          onSubmit={(e) => {
            e.preventDefault();
            void confirm();
          }}
        >
          <fieldset className="field">
            <legend id={groupId}>{t("plan.choose")}</legend>
            {service.availablePlans.map((plan) => (
              <label key={plan.code} className="plain-list__row" data-testid="plan-option" data-code={plan.code}>
                <span>
                  <input
                    type="radio"
                    style={RADIO}
                    name={`${groupId}-plan`}
                    value={plan.code}
                    disabled={plan.current}
                    checked={chosen === plan.code}
                    onChange={() => {
                      setChosen(plan.code);
                      setError(null);
                    }}
                  />{" "}
                  <span className="strong">{plan.name}</span>
                  {plan.current ? <span className="muted small"> · {t("plan.yours")}</span> : null}
                  <span className="muted small">
                    {" "}
                    {formatSpeed(plan.downMbps, plan.upMbps) ?? ""}
                    {plan.dataCapGb != null ? ` · ${t("plan.cap", { gb: plan.dataCapGb })}` : plan.downMbps != null ? ` · ${t("plan.unlimited")}` : ""}
                  </span>
                </span>
                <span className="strong">{t("service.perMonth", { amount: formatMoney(plan.monthlyPrice) })}</span>
              </label>
            ))}
          </fieldset>
          {chosen && preview.fetching && !shown ? <p className="muted small">{t("plan.working")}</p> : null}
          {refusal ? (
            <p className="form-error" role="alert">
              {refusal}
            </p>
          ) : null}
          {shown ? (
            <div className="card card--inset" data-testid="plan-preview" data-direction={shown.direction}>
              {shown.direction === "UPGRADE" ? (
                <p>
                  {rich("plan.upgrade", {
                    name: <span className="strong">{shown.newPlan.name}</span>,
                    days: String(shown.daysRemaining),
                    credit: formatMoney(shown.credit),
                    charge: formatMoney(shown.charge),
                    net: (
                      <span className="strong" data-testid="plan-preview-net">
                        {formatMoney(shown.net)}
                      </span>
                    ),
                  })}
                </p>
              ) : (
                <p>
                  {rich("plan.downgrade", { name: <span className="strong">{shown.newPlan.name}</span>, date: formatDate(shown.effectiveOn) })}
                </p>
              )}
              <p className="small">
                {rich("plan.newMonthly", { amount: <span className="strong">{formatMoney(shown.nextMonthlyCharge)}</span> })}
                {shown.replacesScheduled ? ` · ${t("plan.replaces")}` : ""}
              </p>
            </div>
          ) : null}
          <p className="form-error" role="alert" aria-live="assertive">
            {error ?? ""}
          </p>
          <div className="dialog__actions">
            <button
              type="button"
              className="btn btn--ghost btn--small"
              onClick={() => {
                setOpen(false);
                setChosen(null);
                setError(null);
              }}
              disabled={busy}
            >
              {t("common.cancel")}
            </button>
            <button type="submit" className="btn btn--primary btn--small" disabled={busy || !shown} data-testid="confirm-plan-change">
              {busy ? t("plan.changing") : shown?.direction === "DOWNGRADE" ? t("plan.schedule") : t("plan.confirm")}
            </button>
          </div>
        </form>
      ) : null}
    </div>
  );
}
