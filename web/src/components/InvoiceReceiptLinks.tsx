import { useClient } from "urql";
import { graphql } from "../gql";
import { t } from "../i18n";
import { SignedLink } from "./SignedLink";

const InvoiceReceiptsQuery = graphql(`
  query InvoiceReceipts($id: ID!) {
    node(id: $id) {
      ... on Invoice {
        id
        payments {
          receiptNumber
          receiptUrl
        }
      }
    }
  }
`);

/** One "Receipt" link per payment received against an invoice; each signed link is renewed when stale. */
export function InvoiceReceiptLinks({
  id,
  payments,
}: {
  id: string;
  payments: readonly { receiptNumber: string; receiptUrl: string }[] | null | undefined;
}) {
  const client = useClient();
  if (!payments || payments.length === 0) return null;
  const fresh = async (receiptNumber: string) => {
    const result = await client.query(InvoiceReceiptsQuery, { id }, { requestPolicy: "network-only" }).toPromise();
    const node = result.data?.node;
    const found = node && "payments" in node ? node.payments?.find((p) => p.receiptNumber === receiptNumber) : null;
    return found?.receiptUrl ?? null;
  };
  return (
    <span className="receipt-links">
      {payments.map((p) => (
        <SignedLink
          key={p.receiptNumber}
          href={p.receiptUrl}
          refresh={() => fresh(p.receiptNumber)}
          className="link-download small"
          testId="invoice-receipt-link"
          ariaLabel={t("receipts.linkLabel", { number: p.receiptNumber })}
        >
          {t("receipts.link")}
        </SignedLink>
      ))}
    </span>
  );
}
