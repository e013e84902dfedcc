"""`walletChanged`: the wallet's balance moved (a top-up, a credit, a payment from it).

Every move of the balance is a Billing ledger entry, and every entry is one `wallet.changed` core event: that
event alone drives this subscription. A card top-up is also a `payment.settled` (WALLET_TOPUP) on the bus, for
`paymentSettled`; listening to both made one top-up arrive here twice."""

from __future__ import annotations

from collections.abc import AsyncIterator

import strawberry
from strawberry.types import Info

from adapters.errors import BackendError
from schema.core.context import Context
from schema.core.feed import fresh_loaders, skipped, subscribing_viewer, viewer_events
from schema.core.money import Money
from schema.core.permission import can_see_wallet
from schema.wallet.types import Wallet


async def wallet_changed(info: Info[Context, None]) -> AsyncIterator[Wallet]:
    context = info.context
    viewer = await subscribing_viewer(info)

    async def feed() -> AsyncIterator[Wallet]:
        if not can_see_wallet(viewer):
            # SITE users never see the wallet: nothing is ever delivered (an error would only make clients
            # retry for ever).
            async for _ in viewer_events(context, viewer, ()):
                pass
            return
        async for event in viewer_events(context, viewer, {"wallet.changed"}):
            try:
                account = await fresh_loaders(context).account_by_subscriber_id.load(viewer.subscriber_id)
            except BackendError as exc:
                skipped(event, exc)
                continue
            if account is not None:
                yield Wallet(subscriber_id=viewer.subscriber_id, balance=Money.of(account.wallet_balance))

    return feed()


@strawberry.type
class WalletSubscription:
    wallet_changed: AsyncIterator[Wallet] = strawberry.subscription(
        resolver=wallet_changed,
        description="The wallet's balance moved (a top-up, a credit, a payment from it): the wallet as it is now.",
    )
