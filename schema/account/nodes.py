"""`node(id)` for portal users."""

from __future__ import annotations

from collections.abc import Sequence

from schema.account.types import PortalUser
from schema.core.context import Context
from schema.core.node import node_fetcher


@node_fetcher("PortalUser")
async def fetch_portal_users(context: Context, ids: Sequence[str]) -> dict[str, PortalUser]:
    """A user sees themselves; owners and managers see every user of their subscriber."""
    viewer = context.require_viewer()
    wanted = [i for i in ids if i == viewer.user_id or viewer.role in ("OWNER", "MANAGER")]
    if not wanted:
        return {}
    users = await context.backends.crm.users(wanted)
    return {i: PortalUser.of(u) for i, u in users.items() if u.subscriber_id == viewer.subscriber_id}
