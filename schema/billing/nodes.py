"""`node(id)` for invoices."""

from __future__ import annotations

from collections.abc import Sequence

from schema.billing.types import Invoice
from schema.core.context import Context
from schema.core.node import node_fetcher
from schema.core.permission import can_see_invoice


@node_fetcher("Invoice")
async def fetch_invoices(context: Context, ids: Sequence[str]) -> dict[str, Invoice]:
    viewer = context.require_viewer()
    found = await context.loaders.invoice_by_id.load_many(ids)
    return {r.id: Invoice.of(r) for r in found if r is not None and can_see_invoice(viewer, r)}
