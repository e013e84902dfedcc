"""`PortalUser` nodes: a user resolves themselves and the users of their own subscriber, and nobody else."""

from __future__ import annotations

from tests.harness.portal import SignIn
from tests.schema.helpers import gid


async def test_node_resolves_own_user_and_hides_others(sign_in: SignIn) -> None:
    ana = await sign_in("ana@lima.example")
    own = gid("PortalUser", "USR-1")
    foreign = gid("PortalUser", "USR-20")
    unknown = gid("PortalUser", "USR-404")
    payload = await ana.execute(
        "query($ids: [ID!]!) { nodes(ids: $ids) { id ... on PortalUser { email } } }",
        {"ids": [own, foreign, unknown]},
    )
    assert payload["data"]["nodes"] == [{"id": own, "email": "ana@lima.example"}, None, None]


async def test_owner_sees_users_of_own_subscriber(sign_in: SignIn) -> None:
    dana = await sign_in("it@northwind.example")
    colleague = gid("PortalUser", "USR-22")
    payload = await dana.execute(
        f'query {{ node(id: "{colleague}") {{ ... on PortalUser {{ email role }} }} }}'
    )
    assert payload["data"]["node"] == {"email": "finance@northwind.example", "role": "FINANCE"}
