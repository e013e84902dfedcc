import { useState } from "react";
import { useClient, useQuery } from "urql";
import { formatDate, formatMoney, todayIso } from "../format";
import { graphql } from "../gql";
import { currentLocale, t, type MessageKey } from "../i18n";
import { ErrorBanner, Skeleton } from "./Feedback";
import { SignedLink } from "./SignedLink";

// Receipts (one PDF per payment), the statement's activity (charges, payments and credits with the running
// balance) and the CSV exports finance users download. Every document is a short-lived signed link.

const ReceiptsQuery = graphql(`
  query Receipts($from: Date, $to: Date) {
    viewer {
      subscriber {
        id
        payments(first: 10, from: $from, to: $to) {
          totalCount
          nodes {
            receiptNumber
            paidAt
            amount {
              amount
              currency
            }
            method
            cardBrand
            cardLast4
            invoiceNumber
            receiptUrl
          }
        }
        statement(from: $from, to: $to) {
          periodStart
          periodEnd
          openingBalance {
            amount
            currency
          }
          closingBalance {
            amount
            currency
          }
          lines {
            date
            kind
            description
            reference
            amount {
              amount
              currency
            }
            balance {
              amount
              currency
            }
          }
          pdf {
            url
            filename
          }
        }
      }
    }
  }
`);

const ExportLinksQuery = graphql(`
  query ExportLinks($from: Date!, $to: Date!) {
    viewer {
      subscriber {
        id
        invoicesCsv(from: $from, to: $to) {
          url
        }
        walletHistoryCsv(from: $from, to: $to) {
          url
        }
      }
    }
  }
`);

const KIND_LABELS: Record<string, MessageKey> = { CHARGE: "statement.kind.CHARGE", PAYMENT: "statement.kind.PAYMENT", CREDIT: "statement.kind.CREDIT" };
const METHOD_LABELS: Record<string, MessageKey> = {
  WALLET: "receipts.method.WALLET",
  BANK_TRANSFER: "receipts.method.BANK_TRANSFER",
  GATEWAY: "receipts.method.GATEWAY",
};

/** A message the server wrote in English (a refused period, an export refused): shown as it is in English, our
 * own sentence in the other languages. */
function serverOr(message: string | undefined, key: MessageKey): string {
  return message && currentLocale() === "en" ? message : t(key);
}

export function paidWith(p: { method: string; cardBrand?: string | null; cardLast4?: string | null }): string {
  if (p.method === "CARD") return p.cardBrand && p.cardLast4 ? `${p.cardBrand.toUpperCase()} •••• ${p.cardLast4}` : t("receipts.method.CARD");
  const key = METHOD_LABELS[p.method];
  return key ? t(key) : p.method;
}

/** The last year to today: the longest period one export covers is 366 days. */
export function lastYear(today: string = todayIso()): { from: string; to: string } {
  const end = new Date(`${today}T00:00:00Z`);
  const start = new Date(end.getTime() - 365 * 24 * 3600 * 1000);
  return { from: start.toISOString().slice(0, 10), to: today };
}

export function ExportCsvButton({ kind, label }: { kind: "invoices" | "wallet"; label: string }) {
  const client = useClient();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const download = async () => {
    setBusy(true);
    setError(null);
    const result = await client.query(ExportLinksQuery, lastYear(), { requestPolicy: "network-only" }).toPromise();
    setBusy(false);
    const subscriber = result.data?.viewer?.subscriber;
    const url = kind === "invoices" ? subscriber?.invoicesCsv.url : subscriber?.walletHistoryCsv.url;
    if (!url) {
      setError(serverOr(result.error?.graphQLErrors[0]?.message, "export.unavailable"));
      return;
    }
    window.location.assign(url);
  };
  return (
    <span>
      <button type="button" className="btn btn--secondary btn--small" onClick={() => void download()} disabled={busy} data-testid={`export-${kind}-csv`}>
        {label}
      </button>
      {error ? <span className="muted small"> {error}</span> : null}
    </span>
  );
}

/** The statement's period as the form holds it: empty fields leave the server's default (the last 90 days). */
export function statementPeriod(from: string, to: string): { from: string | null; to: string | null } {
  const valid = (value: string) => (/^\d{4}-\d{2}-\d{2}$/.test(value) ? value : null);
  return { from: valid(from), to: valid(to) };
}

export function ReceiptsSection() {
  const client = useClient();
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const period = statementPeriod(from, to);
  const [result] = useQuery({ query: ReceiptsQuery, variables: period });
  // A link left on screen past its lifetime is fetched anew when clicked (`SignedLink`).
  const fresh = async () =>
    (await client.query(ReceiptsQuery, period, { requestPolicy: "network-only" }).toPromise()).data?.viewer
      ?.subscriber;
  const freshReceipt = async (receiptNumber: string) =>
    (await fresh())?.payments?.nodes.find((p) => p.receiptNumber === receiptNumber)?.receiptUrl ?? null;
  const freshStatement = async () => (await fresh())?.statement?.pdf.url ?? null;
  // Inside the cards, not instead of them: the period's fields stay mounted (and focused) while it loads.
  const loading = result.fetching && !result.data;
  const subscriber = result.data?.viewer?.subscriber;
  const payments = subscriber?.payments?.nodes ?? [];
  const statement = subscriber?.statement;
  const periodRefusal = result.error?.graphQLErrors.find((e) => e.extensions?.code === "BAD_USER_INPUT")?.message;
  const periodError = periodRefusal ? serverOr(periodRefusal, "statement.periodInvalid") : undefined;
  return (
    <>
      {result.error && !subscriber && !periodError ? <ErrorBanner error={result.error} /> : null}
      <section className="card" aria-labelledby="receipts-title" data-testid="receipts">
        <h2 id="receipts-title" className="card__title">
          {t("receipts.title")}
        </h2>
        {loading ? (
          <Skeleton lines={2} />
        ) : payments.length === 0 ? (
          <p className="muted">{t("receipts.none")}</p>
        ) : (
          <div className="table-wrap" tabIndex={0} role="region" aria-label={t("receipts.scrollRegion")}>
          <table className="table">
            <thead>
              <tr>
                <th>{t("receipts.col.date")}</th>
                <th>{t("receipts.col.receipt")}</th>
                <th>{t("invoices.col.invoice")}</th>
                <th>{t("receipts.col.paidWith")}</th>
                <th className="num">{t("receipts.col.amount")}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {payments.map((p) => (
                <tr key={p.receiptNumber}>
                  <td>{formatDate(p.paidAt.slice(0, 10))}</td>
                  <td>{p.receiptNumber}</td>
                  <td>{p.invoiceNumber}</td>
                  <td>{paidWith(p)}</td>
                  <td className="num">{formatMoney(p.amount)}</td>
                  <td>
                    <SignedLink
                      href={p.receiptUrl}
                      refresh={() => freshReceipt(p.receiptNumber)}
                      testId="receipt-link"
                      ariaLabel={t("receipts.pdfLabel", { number: p.receiptNumber })}
                    >
                      {t("receipts.pdf")}
                    </SignedLink>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          </div>
        )}
      </section>
      <section className="card" aria-labelledby="statement-title" data-testid="statement">
        <h2 id="statement-title" className="card__title">
          {statement
            ? t("statement.titlePeriod", { start: formatDate(statement.periodStart), end: formatDate(statement.periodEnd) })
            : t("statement.title")}
        </h2>
        <div className="statement-period">
          <div className="field field--inline">
            <label htmlFor="statement-from">{t("statement.from")}</label>
            <input id="statement-from" type="date" value={from} onChange={(e) => setFrom(e.target.value)} data-testid="statement-from" />
          </div>
          <div className="field field--inline">
            <label htmlFor="statement-to">{t("statement.to")}</label>
            <input id="statement-to" type="date" value={to} onChange={(e) => setTo(e.target.value)} data-testid="statement-to" />
          </div>
        </div>
        {periodError ? (
          <p className="field__error" role="alert" data-testid="statement-period-error">
            {periodError}
          </p>
        ) : null}
        {loading ? <Skeleton lines={3} /> : null}
        {statement ? (
          <>
          <div className="table-wrap" tabIndex={0} role="region" aria-label={t("statement.scrollRegion")}>
          <table className="table">
            <thead>
              <tr>
                <th>{t("receipts.col.date")}</th>
                <th>{t("statement.col.description")}</th>
                <th className="num">{t("receipts.col.amount")}</th>
                <th className="num">{t("invoices.col.balance")}</th>
              </tr>
            </thead>
            <tbody>
              <tr>
                <td />
                <td className="strong">{t("statement.opening")}</td>
                <td />
                <td className="num">{formatMoney(statement.openingBalance)}</td>
              </tr>
              {statement.lines.map((line, index) => (
                <tr key={`${line.reference}-${index}`} data-kind={line.kind}>
                  <td>{formatDate(line.date)}</td>
                  <td>
                    {t("statement.line", { kind: KIND_LABELS[line.kind] ? t(KIND_LABELS[line.kind] as MessageKey) : line.kind, description: line.description })}
                  </td>
                  <td className="num">{formatMoney(line.amount)}</td>
                  <td className="num">{formatMoney(line.balance)}</td>
                </tr>
              ))}
              <tr>
                <td />
                <td className="strong">{t("statement.closing")}</td>
                <td />
                <td className="num strong" data-testid="closing-balance">
                  {formatMoney(statement.closingBalance)}
                </td>
              </tr>
            </tbody>
          </table>
          </div>
          <p className="muted small">{t("statement.explain")}</p>
          <SignedLink href={statement.pdf.url} filename={statement.pdf.filename} refresh={freshStatement} testId="statement-pdf">
            {t("statement.pdf")}
          </SignedLink>
        </>
      ) : null}
      </section>
    </>
  );
}
