"""Tickets as the graph gives them: an attachment's signed `url` downloads its bytes through the BFF's `/files`."""

from __future__ import annotations

import httpx

from adapters.wispgate.client import CoreClient
from adapters.wispgate.crm import HttpCrm
from tests.harness.portal import SignIn
from tests.harness.transport import DispatchTransport
from tests.schema.helpers import nodes, subscriber


async def test_attachment_url_downloads_the_attachment(sign_in: SignIn, transport: DispatchTransport) -> None:
    portal = await sign_in("ana@lima.example")
    http = httpx.AsyncClient(
        transport=transport, base_url="http://crm.test", headers={"x-api-key": "sandbox-service-key"}
    )
    async with http:
        crm = HttpCrm(CoreClient("crm", http))
        added = await crm.add_attachment("TCK-1", "speedtest.txt", "text/plain", b"42 Mbit/s down")
    data = await portal.data(
        "{ viewer { subscriber { tickets { nodes { number attachments { id filename contentType sizeBytes url } } } } } }"
    )
    [ticket] = [t for t in nodes(subscriber(data)["tickets"]) if t["attachments"]]
    [attachment] = ticket["attachments"]
    assert attachment["filename"] == added.filename == "speedtest.txt"
    assert attachment["sizeBytes"] == 14 and attachment["contentType"] == "text/plain"
    response = await portal.client.get(attachment["url"])
    assert response.status_code == 200
    assert response.content == b"42 Mbit/s down"
