"""`node(id)` for saved cards."""

from __future__ import annotations

from collections.abc import Sequence

from schema.core.context import Context
from schema.core.node import node_fetcher
from schema.payments.types import PaymentMethod, payment_methods_of


@node_fetcher("PaymentMethod")
async def fetch_payment_methods(context: Context, ids: Sequence[str]) -> dict[str, PaymentMethod]:
    viewer = context.require_viewer()
    if not viewer.can_manage_billing:
        return {}
    wanted = set(ids)
    return {
        m.record.id: m
        for m in await payment_methods_of(context, viewer.subscriber_id)
        if m.record.id in wanted
    }
