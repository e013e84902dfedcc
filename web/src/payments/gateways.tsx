import { useId } from "react";
import { useQuery } from "urql";
import { graphql } from "../gql";
import type { PaymentGateway } from "../gql/graphql";
import { t, type MessageKey } from "../i18n";

const PaymentGatewaysQuery = graphql(`
  query PaymentGateways {
    paymentGateways
  }
`);

/** What the subscriber reads for each gateway (message keys). Stripe is shown as what it takes: a card. */
export const GATEWAY_LABELS: Record<PaymentGateway, MessageKey> = { STRIPE: "gateway.STRIPE", PAYPAL: "gateway.PAYPAL" };

/** The gateways the portal takes payments through, the default first; [] until known (no choice shown). */
export function usePaymentGateways(): PaymentGateway[] {
  const [{ data }] = useQuery({ query: PaymentGatewaysQuery, requestPolicy: "cache-first" });
  return data?.paymentGateways ?? [];
}

/**
 * "Pay with" for a payment screen: rendered only when the portal offers more than one gateway. `value` null means
 * the portal's default (the first), so a single-gateway portal sends no `gateway` at all.
 */
export function GatewaySelect({
  gateways,
  value,
  onChange,
  disabled,
  testId,
  compact = false,
}: {
  gateways: PaymentGateway[];
  value: PaymentGateway | null;
  onChange: (gateway: PaymentGateway) => void;
  disabled?: boolean;
  testId: string;
  /** In a table row: "Pay with" for screen readers only, so the actions column keeps its width. */
  compact?: boolean;
}) {
  const id = useId();
  if (gateways.length < 2) return null;
  return (
    <span className="pay-gateway">
      <label htmlFor={id} className={compact ? "sr-only" : undefined}>
        {t("gateway.payWith")}
      </label>{" "}
      <select
        id={id}
        data-testid={testId}
        value={value ?? gateways[0]}
        disabled={disabled}
        onChange={(event) => onChange(event.target.value as PaymentGateway)}
      >
        {gateways.map((gateway) => (
          <option key={gateway} value={gateway}>
            {t(GATEWAY_LABELS[gateway])}
          </option>
        ))}
      </select>
    </span>
  );
}
