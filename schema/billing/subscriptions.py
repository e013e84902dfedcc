"""`invoiceChanged`: an invoice of the viewer's was issued, changed or paid."""

from __future__ import annotations

from collections.abc import AsyncIterator

import strawberry
from strawberry.types import Info

from adapters.errors import BackendError
from schema.billing.types import Invoice, visible_invoice
from schema.core.context import Context
from schema.core.feed import SETTLED, fresh_loaders, skipped, subscribing_viewer, text, viewer_events


async def invoice_changed(info: Info[Context, None]) -> AsyncIterator[Invoice]:
    context = info.context
    viewer = await subscribing_viewer(info)

    async def feed() -> AsyncIterator[Invoice]:
        async for event in viewer_events(context, viewer, {"invoice.created", "invoice.updated", SETTLED}):
            try:
                invoice = await visible_invoice(
                    fresh_loaders(context), viewer, text(event.data, "invoice_id")
                )
            except BackendError as exc:
                skipped(event, exc)
                continue
            if invoice is not None:
                yield invoice

    return feed()


@strawberry.type
class BillingSubscription:
    invoice_changed: AsyncIterator[Invoice] = strawberry.subscription(
        resolver=invoice_changed,
        description="An invoice of the viewer's was issued, changed or paid: as it is now.",
    )
