import { useViewer } from "../api/auth";
import { usePaginated } from "../api/paginate";
import { useResync } from "../api/useLive";
import { CancelledNotice } from "../components/CancelledNotice";
import { EmptyState, ErrorBanner, Skeleton } from "../components/Feedback";
import { WalletIcon } from "../components/Icons";
import { LiveIndicator } from "../components/LiveIndicator";
import { PageHeader } from "../components/Layout";
import { ExportCsvButton } from "../components/Receipts";
import { ShowMore } from "../components/ShowMore";
import { GiftCardForm, TopUpForm } from "../components/WalletForms";
import { decimalSign, formatDateTime, formatMoney } from "../format";
import { graphql } from "../gql";
import { t } from "../i18n";
import { label, WALLET_KIND_LABEL } from "../labels";

const WalletQuery = graphql(`
  query WalletHistory($first: Int!, $after: String) {
    viewer {
      subscriber {
        id
        wallet {
          balance {
            amount
            currency
          }
          transactions(first: $first, after: $after) {
            totalCount
            pageInfo {
              hasNextPage
              endCursor
            }
            nodes {
              id
              kind
              amount {
                amount
                currency
              }
              description
              createdAt
            }
          }
        }
      }
    }
  }
`);

export function WalletPage() {
  const wallet = usePaginated(WalletQuery, { first: 20 }, (d) => d.viewer?.subscriber.wallet?.transactions);
  const { canManageBilling } = useViewer();
  const subscriber = wallet.data?.viewer?.subscriber;
  // The balance and the history follow the normalized cache: `walletChanged` (LiveCacheFeed) and a redeemed gift
  // card store the new balance on the session's one wallet and make the history read again (src/api/cache.ts).
  const balance = subscriber?.wallet?.balance;
  useResync(wallet.reload);

  // Roles limited to some sites (SITE) get no wallet from the BFF.
  if (subscriber && !subscriber.wallet) {
    return (
      <>
        <PageHeader title={t("nav.wallet")} />
        <EmptyState title={t("wallet.ownerOnly")}>
          <p>{t("wallet.ownerOnlyHelp")}</p>
        </EmptyState>
      </>
    );
  }

  return (
    <>
      <PageHeader
        title={t("nav.wallet")}
        subtitle={t("wallet.subtitle")}
        actions={
          <>
            {canManageBilling ? <ExportCsvButton kind="wallet" label={t("export.csv")} /> : null}
            <LiveIndicator />
          </>
        }
      />
      <CancelledNotice kind="topup" />
      {wallet.error ? <ErrorBanner error={wallet.error} onRetry={wallet.reload} /> : null}

      <section className="card wallet-card" aria-label={t("fin.wallet")}>
        <WalletIcon className="wallet-card__icon" />
        <div>
          <p className="wallet-card__label">{t("wallet.available")}</p>
          {balance ? (
            <p className={`wallet-card__amount ${decimalSign(balance.amount) < 0 ? "text-due" : ""}`} data-testid="wallet-balance">
              {formatMoney(balance)}
            </p>
          ) : wallet.loading ? (
            <Skeleton lines={1} />
          ) : (
            <p className="wallet-card__amount">—</p>
          )}
          <p className="muted small">{t("wallet.applyHint")}</p>
        </div>
      </section>

      {canManageBilling ? (
        <div className="grid-2 wallet-forms">
          <TopUpForm currency={balance?.currency ?? "USD"} />
          <GiftCardForm />
        </div>
      ) : null}

      <section className="section" aria-labelledby="tx-title">
        <h2 id="tx-title">{t("wallet.history")}</h2>
        {wallet.loading ? (
          <div className="card">
            <Skeleton lines={5} />
          </div>
        ) : wallet.items.length === 0 && !wallet.error ? (
          <EmptyState title={t("wallet.noTx")}>
            <p>{t("wallet.noTxHelp")}</p>
          </EmptyState>
        ) : (
          <ul className="card card--flush tx-list">
            {wallet.items.map((tx) => {
              const sign = decimalSign(tx.amount.amount);
              return (
                <li key={tx.id} className="tx" data-testid="wallet-transaction" data-kind={tx.kind}>
                  <span className={`tx__mark ${sign > 0 ? "tx__mark--credit" : "tx__mark--debit"}`} aria-hidden="true">
                    {sign > 0 ? "+" : "−"}
                  </span>
                  <div className="tx__main">
                    <p className="tx__kind">{label(WALLET_KIND_LABEL, tx.kind)}</p>
                    <p className="tx__desc">{tx.description}</p>
                  </div>
                  <div className="tx__side">
                    <p className={`tx__amount ${sign > 0 ? "tx__amount--credit" : ""}`}>
                      {formatMoney(tx.amount, { signed: true })}
                    </p>
                    <p className="tx__date">
                      <time dateTime={tx.createdAt}>{formatDateTime(tx.createdAt)}</time>
                    </p>
                  </div>
                </li>
              );
            })}
          </ul>
        )}
        {!wallet.loading ? (
          <ShowMore
            shown={wallet.items.length}
            total={wallet.totalCount}
            hasMore={wallet.hasNextPage}
            loading={wallet.loadingMore}
            onMore={wallet.loadMore}
            noun="count.transactions"
          />
        ) : null}
      </section>
    </>
  );
}
