"""Zammad as the tests meet it: its recorded REST answers (`tests/adapters/zammad/fixtures/`), respx routes for
them, and the portal's configuration for a Zammad at `ZAMMAD` (TICKETS_BACKEND=zammad)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import respx

FIXTURES = Path(__file__).parent.parent / "adapters" / "zammad" / "fixtures"
ZAMMAD = "https://zammad.test"
API = f"{ZAMMAD}/api/v1"
TOKEN = "zammad-agent-token-0123456789"
WEBHOOK_SECRET = "zammad-webhook-hmac-token-0123456789abcdef"
GROUPS = {
    "CONNECTIVITY": "Network",
    "BILLING": "Billing",
    "DEVICE": "Network",
    "INSTALLATION": "Field Service",
    "OTHER": "Users",
}


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def ok(name: str, status: int = 200) -> httpx.Response:
    return httpx.Response(status, json=fixture(name))


def zammad_env(**env: str) -> dict[str, str]:
    """The portal's environment for tickets in Zammad, customers found by their subscriber id attribute."""
    return {
        "TICKETS_BACKEND": "zammad",
        "ZAMMAD_URL": ZAMMAD,
        "ZAMMAD_TOKEN": TOKEN,
        "ZAMMAD_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "ZAMMAD_CUSTOMER_MATCH": "field",
        "ZAMMAD_CUSTOMER_FIELD": "wispgate_subscriber_id",
        "ZAMMAD_GROUPS": ",".join(f"{c}={g}" for c, g in GROUPS.items()),
        **env,
    }


def known_customer(router: respx.MockRouter, fixture_name: str = "users_search_email.json") -> respx.Route:
    """Ana's Zammad user (SUB-1001's customer, id 8)."""
    return router.get("/users/search").mock(return_value=ok(fixture_name))


def ticket_routes(router: respx.MockRouter, zammad_id: int, tags: str = "tags_empty.json") -> None:
    router.get(f"/tickets/{zammad_id}").mock(return_value=ok(f"ticket_{zammad_id}.json"))
    router.get(f"/ticket_articles/by_ticket/{zammad_id}").mock(return_value=ok(f"articles_{zammad_id}.json"))
    router.get("/tags", params={"o_id": str(zammad_id)}).mock(return_value=ok(tags))
