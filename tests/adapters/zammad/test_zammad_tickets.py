"""`ZammadTickets` over recorded Zammad answers: listing and reading (customer mapping, state, priority, group
and SLA mapping, internal articles hidden), opening, replying with a file, closing, reopening, rating, and
downloading a file — each write checked by what it sent to Zammad."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import respx

from adapters.errors import NotFound, Rejected, Unavailable
from adapters.ports.tickets import NewTicket
from adapters.zammad.config import DEFAULT_STATES, ZammadConfig
from adapters.zammad.tickets import ZammadTickets
from tests.harness.zammad import TOKEN, fixture, known_customer, ok, ticket_routes

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 52  # 68 bytes, as the fixture records
ROUTER_PNG = b"\x89PNG\r\n\x1a\n" + b"\x01" * 64


def sent(route: respx.Route, index: int = -1) -> Any:
    return json.loads(route.calls[index].request.content)


async def test_a_subscribers_tickets_newest_first_mapped_and_only_its_own(
    zammad_api: respx.MockRouter, tickets: ZammadTickets
) -> None:
    users = known_customer(zammad_api)
    search = zammad_api.get("/tickets/search").mock(return_value=ok("tickets_search.json"))
    rated = zammad_api.get("/tags", params={"o_id": "74"}).mock(return_value=ok("tags_74.json"))
    resolved = zammad_api.get("/tags", params={"o_id": "75"}).mock(return_value=ok("tags_empty.json"))

    page = await tickets.tickets_of("SUB-1001", limit=50)

    # The customer is found by the subscriber's e-mail, exactly (not the look-alike address).
    assert users.calls[0].request.url.params["query"] == 'email:"ana@lima.example"'
    assert users.calls[0].request.headers["authorization"] == f"Token token={TOKEN}"
    params = search.calls[0].request.url.params
    assert (params["query"], params["expand"], params["sort_by"], params["order_by"]) == (
        "customer_id:8",
        "true",
        "created_at",
        "desc",
    )
    # Ticket 99 (another customer's) in the answer is never the subscriber's.
    assert [t.id for t in page.items] == ["SUB-1001:77", "SUB-1001:81", "SUB-1001:75", "SUB-1001:74"]
    assert [(t.number, t.status, t.category, t.priority, t.queue) for t in page.items] == [
        ("31077", "OPEN", "OTHER", "NORMAL", "Users"),
        ("31081", "IN_PROGRESS", "CONNECTIVITY", "HIGH", "Network"),
        ("31075", "RESOLVED", "OTHER", "NORMAL", "Users"),
        ("31074", "CLOSED", "BILLING", "NORMAL", "Billing"),
    ]
    assert all(t.subscriber_id == "SUB-1001" for t in page.items)
    # Tags are read only where a rating can be: the resolved and the closed ticket.
    assert (rated.call_count, resolved.call_count) == (1, 1)
    assert page.items[3].rating is not None and page.items[3].rating.score == 4
    assert page.next_cursor is None and page.total_count == 4

    # Remembered: the next list asks Zammad for the customer no more.
    await tickets.tickets_of("SUB-1001", statuses=["RESOLVED", "CLOSED"])
    assert users.call_count == 1
    query = search.calls[1].request.url.params["query"]
    assert query == 'customer_id:8 AND state.name:("closed" OR "merged" OR "pending close")'


async def test_a_subscriber_without_a_zammad_customer_has_no_tickets(
    zammad_api: respx.MockRouter, tickets: ZammadTickets
) -> None:
    zammad_api.get("/users/search").mock(return_value=httpx.Response(200, json=[]))
    search = zammad_api.get("/tickets/search")
    page = await tickets.tickets_of("SUB-1001")
    assert (page.items, page.total_count, search.call_count) == ([], 0, 0)


async def test_the_customer_can_be_a_custom_user_attribute(
    zammad_api: respx.MockRouter, make_tickets: Any
) -> None:
    users = zammad_api.get("/users/search").mock(return_value=ok("users_search_field.json"))
    zammad_api.get("/tickets/search").mock(return_value=httpx.Response(200, json=[]))
    tickets: ZammadTickets = make_tickets(customer_match="field", customer_field="wispgate_subscriber_id")
    await tickets.tickets_of('SUB-1001" OR customer_id:*')
    # The value is quoted and escaped: it cannot widen the search.
    assert (
        users.calls[0].request.url.params["query"] == 'wispgate_subscriber_id:"SUB-1001\\" OR customer_id:*"'
    )
    await tickets.tickets_of("SUB-1001")
    # Only the exact value counts (SUB-10011 is a full-text neighbour).
    assert tickets.customers.subscriber_of({"id": 8, "wispgate_subscriber_id": "SUB-1001"}) == "SUB-1001"
    assert await tickets.customers.customer_of("SUB-1001") == 8


async def test_two_zammad_users_for_one_subscriber_are_refused(
    zammad_api: respx.MockRouter, tickets: ZammadTickets
) -> None:
    twins = fixture("users_search_email.json")
    twins[1]["email"] = "ANA@lima.example"
    zammad_api.get("/users/search").mock(return_value=httpx.Response(200, json=twins))
    with pytest.raises(Rejected) as refused:
        await tickets.tickets_of("SUB-1001")
    assert refused.value.code == "CUSTOMER_AMBIGUOUS"


async def test_a_ticket_with_its_sla_and_only_what_the_customer_may_read(
    zammad_api: respx.MockRouter, tickets: ZammadTickets
) -> None:
    known_customer(zammad_api)
    ticket_routes(zammad_api, 81)
    ticket = await tickets.ticket("SUB-1001:81")

    # The internal note (302) and its file are not there; neither is the .ics the portal does not serve.
    assert [m.id for m in ticket.messages] == ["301", "303"]
    assert [(m.author_kind, m.author_name) for m in ticket.messages] == [
        ("CUSTOMER", "Ana Lima"),
        ("SUPPORT", "Priya Shah"),
    ]
    assert (
        ticket.messages[1].body
        == "Hello Ana,\nWe pushed a new firmware to your router.\nPlease restart\xa0it tonight."
    )
    assert "escalate" not in json.dumps([m.body for m in ticket.messages])
    assert [(a.id, a.filename, a.content_type, a.size_bytes) for a in ticket.attachments] == [
        ("SUB-1001:81:301:501", "speedtest.png", "image/png", 68),
        ("SUB-1001:81:303:503", "signature-logo.gif", "image/gif", 1200),
    ]
    assert (ticket.message_count, ticket.attachment_count) == (2, 2)
    assert [e.kind for e in ticket.events] == ["CREATED", "REPLIED"]

    sla = ticket.sla
    # Responded 30 minutes early; the resolution is due by close_escalation_at and is not late yet.
    assert sla.first_responded_at == datetime(2026, 12, 1, 10, 30, tzinfo=UTC)
    assert sla.first_response_due_at == datetime(2026, 12, 1, 11, 0, tzinfo=UTC)
    assert (sla.first_response_met, sla.first_response_breached) == (True, False)
    assert sla.resolution_due_at == datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
    assert (sla.resolved_at, sla.resolution_breached, sla.resolution_met) == (None, False, False)
    assert sla.elapsed_percent == 56.25  # 27 of 48 hours


async def test_sla_of_a_closed_late_answered_ticket_and_of_one_without_a_zammad_sla(
    zammad_api: respx.MockRouter, tickets: ZammadTickets
) -> None:
    known_customer(zammad_api)
    ticket_routes(zammad_api, 74, tags="tags_74.json")
    closed = await tickets.ticket("SUB-1001:74")
    assert closed.status == "CLOSED"
    assert closed.sla.first_response_due_at == datetime(2026, 11, 20, 16, 0, tzinfo=UTC)
    assert (closed.sla.first_response_breached, closed.sla.first_response_met) == (True, False)
    assert closed.sla.resolved_at == datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
    assert closed.sla.resolution_due_at == datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    assert (closed.sla.resolution_met, closed.sla.resolution_breached) == (True, False)
    assert closed.rating is not None and closed.rating.score == 4
    assert [e.kind for e in closed.events] == ["CREATED", "REPLIED", "RATED"]

    zammad_api.get("/tickets/search").mock(return_value=ok("tickets_search.json"))
    zammad_api.get("/tags").mock(return_value=ok("tags_empty.json"))
    fresh = next(t for t in (await tickets.tickets_of("SUB-1001")).items if t.number == "31077")
    # No SLA applies in Zammad: the configured 8 h / 3 days from creation stand in.
    assert fresh.sla.first_response_due_at == datetime(2026, 12, 2, 16, 0, tzinfo=UTC)
    assert fresh.sla.resolution_due_at == datetime(2026, 12, 5, 8, 0, tzinfo=UTC)
    assert not fresh.sla.first_response_breached and fresh.sla.first_responded_at is None


async def test_another_customers_ticket_reads_as_missing(
    zammad_api: respx.MockRouter, tickets: ZammadTickets
) -> None:
    known_customer(zammad_api)
    zammad_api.get("/tickets/99").mock(return_value=ok("ticket_99.json"))
    zammad_api.get("/tickets/404").mock(return_value=httpx.Response(404, json={"error": "Not found"}))
    articles = zammad_api.get("/ticket_articles/by_ticket/99")
    # Zammad's ticket 99 is another customer's; 404 is none; SUB-404 is no subscriber the CRM knows.
    assert await tickets.tickets(["SUB-1001:99", "SUB-1001:404", "SUB-404:81", "garbage", "SUB-1001:x"]) == {}
    with pytest.raises(NotFound):
        await tickets.ticket("SUB-1001:99")
    assert articles.call_count == 0


async def test_open_a_ticket_as_the_customer(zammad_api: respx.MockRouter, tickets: ZammadTickets) -> None:
    known_customer(zammad_api)
    create = zammad_api.post("/tickets").mock(return_value=ok("ticket_created.json", 201))
    ticket_routes(zammad_api, 90)
    opened = await tickets.open_ticket(
        NewTicket(
            subscriber_id="SUB-1001",
            author_user_id="USR-1",
            category="CONNECTIVITY",
            subject="Wi-Fi drops every evening",
            body="The Wi-Fi drops around 8 pm.",
            subservice_id="SS-1001-1",
            priority="HIGH",
        )
    )
    request = create.calls[0].request
    assert request.headers["x-on-behalf-of"] == "8"
    body = sent(create)
    assert body == {
        "title": "Wi-Fi drops every evening",
        "group": "Network",
        "customer_id": 8,
        "article": {
            "body": "The Wi-Fi drops around 8 pm.",
            "content_type": "text/plain",
            "type": "web",
            "internal": False,
            "sender": "Customer",
            "subject": "Wi-Fi drops every evening",
        },
        "priority": "3 high",
    }
    assert (opened.id, opened.number, opened.status, opened.category) == (
        "SUB-1001:90",
        "31090",
        "OPEN",
        "CONNECTIVITY",
    )
    assert [m.body for m in opened.messages] == ["The Wi-Fi drops around 8 pm."]


async def test_a_first_ticket_names_the_customer_by_e_mail_for_zammad_to_find_or_create(
    zammad_api: respx.MockRouter, tickets: ZammadTickets
) -> None:
    zammad_api.get("/users/search").mock(
        side_effect=[httpx.Response(200, json=[]), ok("users_search_email.json")]
    )
    create = zammad_api.post("/tickets").mock(return_value=ok("ticket_created.json", 201))
    ticket_routes(zammad_api, 90)
    new = NewTicket("SUB-1001", "USR-1", "OTHER", "Hello", "First contact")
    opened = await tickets.open_ticket(new)
    assert sent(create)["customer_id"] == "guess:Ana@Lima.example"
    assert sent(create)["group"] == "Users"
    assert "x-on-behalf-of" not in create.calls[0].request.headers
    assert opened.subscriber_id == "SUB-1001"


async def test_field_mode_creates_the_customer_with_the_subscriber_id(
    zammad_api: respx.MockRouter, make_tickets: Any
) -> None:
    tickets: ZammadTickets = make_tickets(customer_match="field", customer_field="wispgate_subscriber_id")
    zammad_api.get("/users/search").mock(return_value=httpx.Response(200, json=[]))
    users = zammad_api.post("/users").mock(return_value=ok("user_created.json", 201))
    create = zammad_api.post("/tickets").mock(
        return_value=httpx.Response(201, json={**fixture("ticket_created.json"), "customer_id": 21})
    )
    zammad_api.get("/tickets/90").mock(
        return_value=httpx.Response(200, json={**fixture("ticket_90.json"), "customer_id": 21})
    )
    zammad_api.get("/ticket_articles/by_ticket/90").mock(return_value=ok("articles_90.json"))
    zammad_api.get("/tags").mock(return_value=ok("tags_empty.json"))
    await tickets.open_ticket(NewTicket("SUB-1001", "USR-1", "OTHER", "Hello", "First contact"))
    assert sent(users) == {
        "firstname": "Ana",
        "lastname": "Lima",
        "email": "Ana@Lima.example",
        "roles": ["Customer"],
        "wispgate_subscriber_id": "SUB-1001",
    }
    assert create.calls[0].request.headers["x-on-behalf-of"] == "21"


async def test_reply_with_a_file_as_the_customer(
    zammad_api: respx.MockRouter, tickets: ZammadTickets
) -> None:
    known_customer(zammad_api)
    ticket_routes(zammad_api, 81)
    articles = zammad_api.post("/ticket_articles").mock(
        side_effect=[ok("article_created.json", 201), ok("article_created_with_attachment.json", 201)]
    )
    await tickets.reply_to_ticket("SUB-1001:81", "USR-1", "Still dropping.")
    added = await tickets.add_attachment("SUB-1001:81", "router.png", "image/png", ROUTER_PNG)

    reply, upload = sent(articles, 0), sent(articles, 1)
    assert all(c.request.headers["x-on-behalf-of"] == "8" for c in articles.calls)
    assert (reply["ticket_id"], reply["body"], reply["internal"], reply["sender"]) == (
        81,
        "Still dropping.",
        False,
        "Customer",
    )
    [file] = upload["attachments"]
    assert (file["filename"], file["mime-type"]) == ("router.png", "image/png")
    assert base64.b64decode(file["data"]) == ROUTER_PNG
    assert (added.id, added.message_id, added.size_bytes) == ("SUB-1001:81:330:505", "330", 72)


async def test_refusals_come_before_anything_is_written(
    zammad_api: respx.MockRouter, tickets: ZammadTickets
) -> None:
    known_customer(zammad_api)
    ticket_routes(zammad_api, 74, tags="tags_74.json")
    ticket_routes(zammad_api, 81)
    writes = zammad_api.post("/ticket_articles")
    puts = zammad_api.put(url__regex=r"/tickets/\d+")
    cases = [
        (tickets.reply_to_ticket("SUB-1001:74", "USR-1", "hello?"), "TICKET_CLOSED"),
        (tickets.add_attachment("SUB-1001:74", "a.txt", "text/plain", b"x"), "TICKET_CLOSED"),
        (tickets.add_attachment("SUB-1001:81", "a.html", "text/html", b"<b>"), "ATTACHMENT_TYPE_NOT_ALLOWED"),
        (tickets.reopen_ticket("SUB-1001:81", "USR-1"), "TICKET_NOT_RESOLVED"),
        (tickets.rate_ticket("SUB-1001:81", "USR-1", 5, None), "TICKET_NOT_RESOLVED"),
        (tickets.rate_ticket("SUB-1001:74", "USR-1", 5, None), "ALREADY_RATED"),
    ]
    for call, code in cases:
        with pytest.raises(Rejected) as refused:
            await call
        assert refused.value.code == code
    assert (writes.call_count, puts.call_count) == (0, 0)


async def test_close_and_reopen_change_the_state(
    zammad_api: respx.MockRouter, tickets: ZammadTickets
) -> None:
    known_customer(zammad_api)
    ticket_routes(zammad_api, 81)
    ticket_routes(zammad_api, 74, tags="tags_74.json")
    put81 = zammad_api.put("/tickets/81").mock(return_value=ok("ticket_81.json"))
    put74 = zammad_api.put("/tickets/74").mock(return_value=ok("ticket_74.json"))
    reason = zammad_api.post("/ticket_articles").mock(return_value=ok("article_created.json", 201))
    await tickets.close_ticket("SUB-1001:81", "USR-1")
    await tickets.reopen_ticket("SUB-1001:74", "USR-1", "It is back")
    assert sent(put81) == {"state": "closed"}
    assert sent(put74) == {"state": "open"}
    assert sent(reason)["body"] == "Reopened: It is back"


async def test_rating_is_a_tag_or_a_ticket_attribute(zammad_api: respx.MockRouter, make_tickets: Any) -> None:
    known_customer(zammad_api)
    ticket_routes(zammad_api, 75)
    tag = zammad_api.post("/tags/add").mock(return_value=httpx.Response(201, json=True))
    comment = zammad_api.post("/ticket_articles").mock(return_value=ok("article_created.json", 201))
    tagged: ZammadTickets = make_tickets()
    with pytest.raises(Rejected) as refused:
        await tagged.rate_ticket("SUB-1001:75", "USR-1", 9, None)
    assert refused.value.code == "RATING_INVALID"
    await tagged.rate_ticket("SUB-1001:75", "USR-1", 5, "Fixed fast")
    assert sent(tag) == {"object": "Ticket", "o_id": 75, "item": "rating:5"}
    assert sent(comment)["body"] == "Rating 5/5: Fixed fast"

    field: ZammadTickets = make_tickets(rating_store="field", rating_field="portal_rating")
    put = zammad_api.put("/tickets/75").mock(return_value=ok("ticket_75.json"))
    await field.rate_ticket("SUB-1001:75", "USR-1", 4, None)
    assert sent(put) == {"portal_rating": 4}
    assert tag.call_count == 1


async def test_a_file_downloads_whole_but_never_an_internal_notes(
    zammad_api: respx.MockRouter, tickets: ZammadTickets
) -> None:
    known_customer(zammad_api)
    ticket_routes(zammad_api, 81)
    download = zammad_api.get("/ticket_attachment/81/301/501").mock(
        return_value=httpx.Response(200, content=PNG)
    )
    internal = zammad_api.get("/ticket_attachment/81/302/502")
    zammad_api.get("/tickets/99").mock(return_value=ok("ticket_99.json"))
    meta, data = await tickets.attachment("SUB-1001:81:301:501")
    assert (meta.filename, data) == ("speedtest.png", PNG)
    assert download.call_count == 1
    for hidden in ("SUB-1001:81:302:502", "SUB-1001:99:310:1", "nonsense"):
        with pytest.raises(NotFound):
            await tickets.attachment(hidden)
    assert internal.call_count == 0
    assert await tickets.attachments(["SUB-1001:81:303:503", "SUB-1001:81:302:502"]) == {
        "SUB-1001:81:303:503": (await tickets.ticket("SUB-1001:81")).attachments[1]
    }


async def test_categories_are_the_active_groups(zammad_api: respx.MockRouter, tickets: ZammadTickets) -> None:
    zammad_api.get("/groups").mock(return_value=ok("groups.json"))
    categories = await tickets.ticket_categories()
    # INSTALLATION routes to "Field Service", which is inactive in Zammad.
    assert [(c.category, c.queue) for c in categories] == [
        ("CONNECTIVITY", "Network"),
        ("BILLING", "Billing"),
        ("DEVICE", "Network"),
        ("OTHER", "Users"),
    ]
    assert categories[0].first_response_minutes == 480


async def test_zammad_failures_are_adapter_errors(
    zammad_api: respx.MockRouter, tickets: ZammadTickets
) -> None:
    zammad_api.get("/groups").mock(side_effect=httpx.ConnectError("refused"))
    with pytest.raises(Unavailable):
        await tickets.ticket_categories()
    zammad_api.get("/users/search").mock(
        return_value=httpx.Response(401, json={"error": "authentication failed"})
    )
    with pytest.raises(Rejected) as refused:
        await tickets.tickets_of("SUB-1001")
    assert refused.value.code == "ZAMMAD_UNAUTHORIZED"


def test_state_mapping() -> None:
    conf = ZammadConfig(url="https://z", token="t")
    assert {s: conf.status_of(s) for s in DEFAULT_STATES} == {
        "new": "OPEN",
        "open": "IN_PROGRESS",
        "pending reminder": "WAITING_ON_CUSTOMER",
        "pending close": "RESOLVED",
        "closed": "CLOSED",
        "merged": "CLOSED",
    }
    # An operator's own state is being worked on, not an error; names match without case.
    assert (conf.status_of("waiting for parts"), conf.status_of("Pending Close")) == (
        "IN_PROGRESS",
        "RESOLVED",
    )
    assert (conf.state_for("CLOSED"), conf.state_for("IN_PROGRESS")) == ("closed", "open")
    custom = ZammadConfig(
        url="https://z", token="t", states={"neu": "OPEN", "in arbeit": "IN_PROGRESS", "erledigt": "CLOSED"}
    )
    assert (custom.status_of("Erledigt"), custom.state_for("CLOSED")) == ("CLOSED", "erledigt")


@pytest.mark.parametrize("n", [1, 10, 100])
async def test_a_list_costs_one_search_and_tags_only_where_a_rating_can_be(
    zammad_api: respx.MockRouter, make_tickets: Any, n: int
) -> None:
    """Calls to Zammad for a page of n tickets: one search (the customer once per process); with ratings as
    tags, one tag read per resolved or closed ticket on it, none with the rating attribute."""
    open_ones = [{**fixture("ticket_81.json"), "id": 1000 + i} for i in range(n)]
    closed_ones = [{**fixture("ticket_74.json"), "id": 2000 + i} for i in range(n)]
    users = known_customer(zammad_api)
    search = zammad_api.get("/tickets/search").mock(
        side_effect=[httpx.Response(200, json=open_ones), httpx.Response(200, json=closed_ones)] * 2
    )
    tags = zammad_api.get("/tags").mock(return_value=ok("tags_empty.json"))
    tagged: ZammadTickets = make_tickets()
    assert len((await tagged.tickets_of("SUB-1001", limit=100)).items) == n
    assert (users.call_count, search.call_count, tags.call_count) == (1, 1, 0)
    await tagged.tickets_of("SUB-1001", limit=100)
    assert (users.call_count, search.call_count, tags.call_count) == (1, 2, n)

    field: ZammadTickets = make_tickets(rating_store="field", rating_field="portal_rating")
    await field.tickets_of("SUB-1001", limit=100)
    await field.tickets_of("SUB-1001", limit=100)
    assert (users.call_count, search.call_count, tags.call_count) == (2, 4, n)
