import {
  AccountInvoiceChangedSubscription,
  PaymentSettledSubscription,
  ServiceStatusChangedSubscription,
  WalletChangedSubscription,
} from "../api/liveOperations";
import { useLiveEvents } from "../api/useLive";

/**
 * The account's money and status events, for as long as the user is signed in, whatever page is shown: they keep
 * the normalized cache fresh (src/api/cache.ts), so every card that shows an amount, a status or a count follows
 * them — the pages subscribe to nothing of this themselves. The server sends each viewer only what they may see
 * (nothing about the wallet to a SITE user).
 */
export function LiveCacheFeed() {
  useLiveEvents(PaymentSettledSubscription);
  useLiveEvents(AccountInvoiceChangedSubscription);
  useLiveEvents(WalletChangedSubscription);
  useLiveEvents(ServiceStatusChangedSubscription);
  return null;
}
