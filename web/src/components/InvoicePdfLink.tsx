import { useClient } from "urql";
import { graphql } from "../gql";
import { DownloadIcon } from "./Icons";
import { SignedLink } from "./SignedLink";
import { t } from "../i18n";

const InvoicePdfQuery = graphql(`
  query InvoicePdf($id: ID!) {
    node(id: $id) {
      ... on Invoice {
        id
        pdfUrl
      }
    }
  }
`);

/** "Download PDF" for one invoice; the signed link is renewed if the page has been open for a while. */
export function InvoicePdfLink({ id, number, pdfUrl }: { id: string; number: string; pdfUrl: string }) {
  const client = useClient();
  return (
    <SignedLink
      href={pdfUrl}
      filename={`${number}.pdf`}
      className="link-download"
      testId="invoice-pdf-link"
      ariaLabel={t("pdf.invoiceLabel", { number })}
      refresh={async () => {
        const result = await client.query(InvoicePdfQuery, { id }, { requestPolicy: "network-only" }).toPromise();
        const node = result.data?.node;
        return node && "pdfUrl" in node ? node.pdfUrl : null;
      }}
    >
      <DownloadIcon />
      <span>
        <span className="link-download__verb">{t("pdf.download")} </span>PDF
      </span>
    </SignedLink>
  );
}
