"""The portal with its tickets in Zammad (TICKETS_BACKEND=zammad): the real BFF over the test's sandbox for
everything else, Zammad's REST API answered by respx from recorded answers. A subscriber opens a ticket with a
photo through GraphQL and sees it in their list; what reached Zammad is checked. An agent's reply in Zammad
reaches the subscriber's `ticketChanged` subscription through Zammad's webhook, without the internal note."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from adapters.zammad.webhook import sign
from sandbox.app import Sandbox
from tests.harness.portal import MakePortal, portal_settings
from tests.harness.zammad import (
    API,
    FIXTURES,
    WEBHOOK_SECRET,
    fixture,
    known_customer,
    ok,
    ticket_routes,
    zammad_env,
)
from tests.schema.core.test_feed import bearer, running, socket
from tests.schema.helpers import gid, nodes, subscriber
from tests.schema.support.test_ticket_mutations import OPEN, PNG, upload

TICKETS = "{ viewer { subscriber { tickets(first: 10) { nodes { id number status queue category } } } } }"
CATEGORIES = "{ ticketCategories { category queue } }"
CHANGED = "subscription { ticketChanged { id number status messages { fromSupport body } } }"


@pytest.fixture
def zammad_api() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=API, assert_all_mocked=True) as router:
        yield router


async def test_open_a_ticket_with_a_photo_in_zammad(
    make_portal: MakePortal, tmp_path: Path, zammad_api: respx.MockRouter
) -> None:
    users = known_customer(zammad_api, "users_search_field.json")
    created = zammad_api.post("/tickets").mock(return_value=ok("ticket_created.json", 201))
    posted = zammad_api.post("/ticket_articles").mock(
        return_value=ok("article_created_with_attachment.json", 201)
    )

    def articles(_request: httpx.Request) -> httpx.Response:
        # Zammad's list grows by the article that carried the photo once it was posted.
        found: list[Any] = fixture("articles_90.json")
        if posted.called:
            found.append({**fixture("article_created_with_attachment.json"), "ticket_id": 90})
        return httpx.Response(200, json=found)

    zammad_api.get("/tickets/90").mock(return_value=ok("ticket_90.json"))
    zammad_api.get("/ticket_articles/by_ticket/90").mock(side_effect=articles)
    zammad_api.get("/tags").mock(return_value=ok("tags_empty.json"))
    zammad_api.get("/tickets/search").mock(return_value=httpx.Response(200, json=[fixture("ticket_90.json")]))
    zammad_api.get("/groups").mock(return_value=ok("groups.json"))

    portal = await make_portal(portal_settings(tmp_path, **zammad_env()))
    ana = await portal.another().sign_in("ana@lima.example")
    variables = {
        "input": {
            "category": "CONNECTIVITY",
            "subject": "Wi-Fi drops every evening",
            "description": "The Wi-Fi drops around 8 pm.",
            "subServiceId": gid("SubService", "SS-1001-1"),
        }
    }
    result = await upload(ana, OPEN, variables, [("router.png", PNG, "image/png")], "openTicket")

    assert result["userErrors"] == []
    ticket = result["ticket"]
    assert (ticket["number"], ticket["status"], ticket["queue"], ticket["category"]) == (
        "31090",
        "OPEN",
        "Network",
        "CONNECTIVITY",
    )
    assert [m["body"] for m in ticket["messages"]] == ["The Wi-Fi drops around 8 pm.", "Attached: router.png"]
    [photo] = ticket["messages"][1]["attachments"]
    assert (photo["filename"], photo["contentType"]) == ("router.png", "image/png")

    # The signed link fetches the file from Zammad (as recorded: 72 bytes) and serves it as a download.
    stored = b"\x89PNG\r\n\x1a\n" + b"\x01" * 64
    file_route = zammad_api.get("/ticket_attachment/90/330/505").mock(
        return_value=httpx.Response(200, content=stored)
    )
    download = await ana.client.get(photo["url"])
    assert (download.status_code, download.content, file_route.call_count) == (200, stored, 1)
    assert download.headers["content-disposition"].startswith("attachment;")

    # Zammad got the subscriber's customer (found by the subscriber id attribute), the group of the
    # category, and the photo on the customer's behalf.
    assert users.calls[0].request.url.params["query"] == 'wispgate_subscriber_id:"SUB-1001"'
    sent = json.loads(created.calls[0].request.content)
    assert (sent["customer_id"], sent["group"], sent["title"]) == (8, "Network", "Wi-Fi drops every evening")
    assert created.calls[0].request.headers["x-on-behalf-of"] == "8"
    [upload_sent] = json.loads(posted.calls[0].request.content)["attachments"]
    assert base64.b64decode(upload_sent["data"]) == PNG

    listed = nodes(subscriber(await ana.data(TICKETS))["tickets"])
    assert [(t["id"], t["number"], t["status"]) for t in listed] == [(ticket["id"], "31090", "OPEN")]
    assert ticket["id"] == gid("Ticket", "SUB-1001:90")
    categories = (await ana.data(CATEGORIES))["ticketCategories"]
    assert [c["category"] for c in categories] == ["CONNECTIVITY", "BILLING", "DEVICE", "OTHER"]


def test_an_agents_reply_in_zammad_reaches_the_subscription(
    sandbox: Sandbox, tmp_path: Path, zammad_api: respx.MockRouter
) -> None:
    known_customer(zammad_api, "users_search_field.json")
    ticket_routes(zammad_api, 81)
    body = (FIXTURES / "webhook_ticket_updated.json").read_bytes()
    with running(sandbox, portal_settings(tmp_path, **zammad_env())) as app:
        token = app.login("ana@lima.example")
        with socket(app, bearer(token)) as ws:
            op = ws.subscribe(CHANGED)
            app.wait_for_listeners("SUB-1001")
            response = app.client.post(
                "/webhooks/zammad",
                content=body,
                headers={"x-zammad-delivery": "d-ws", "x-hub-signature": sign(WEBHOOK_SECRET, body)},
            )
            assert response.json() == {"received": True, "result": "published"}
            got = ws.data(op)["ticketChanged"]
    assert (got["id"], got["number"], got["status"]) == (gid("Ticket", "SUB-1001:81"), "31081", "IN_PROGRESS")
    assert [m["fromSupport"] for m in got["messages"]] == [False, True]
    assert "escalate" not in json.dumps(got)
