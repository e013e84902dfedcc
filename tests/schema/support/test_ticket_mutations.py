"""Tickets through the real BFF over the test's own sandbox: opening with files (GraphQL multipart request),
replying, closing, reopening, rating, the history and SLA, and who may do what (SITE, VIEWER, other
subscribers) — a foreign ticket answers exactly like a missing one."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sandbox.app import Sandbox
from tests.harness.portal import Portal, SignIn
from tests.schema.helpers import gid, subscriber

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n%%EOF\n"

TICKET_FIELDS = """
  id number subject category status queue
  subService { id label }
  sla { firstResponseDueAt resolutionDueAt firstResponseMet resolutionMet elapsedPercent firstResponseBreached }
  messages { fromSupport authorName body attachments { filename contentType sizeBytes isImage url } }
  attachments { filename contentType }
  events { kind actor actorName fromStatus toStatus detail }
  rating { score comment }
  canRate
"""
OPEN = (
    "mutation($input: OpenTicketInput!) { openTicket(input: $input) {"
    f" ticket {{ {TICKET_FIELDS} }} userErrors {{ code field message }} }} }}"
)
REPLY = (
    "mutation($input: ReplyToTicketInput!) { replyToTicket(input: $input) {"
    f" ticket {{ {TICKET_FIELDS} }} userErrors {{ code field message }} }} }}"
)
CLOSE = "mutation($id: ID!) { closeTicket(input: {ticketId: $id}) { ticket { status } userErrors { code } } }"
REOPEN = (
    'mutation($id: ID!) { reopenTicket(input: {ticketId: $id, reason: "Again"}) {'
    " ticket { status events { kind } } userErrors { code } } }"
)
RATE = (
    'mutation($id: ID!, $score: Int!) { rateTicket(input: {ticketId: $id, score: $score, comment: "Thanks"}) {'
    " ticket { rating { score comment } canRate } userErrors { code } } }"
)
TICKETS = """query($active: Boolean, $ss: ID) { viewer { subscriber {
  tickets(first: 50, active: $active, subServiceId: $ss) { totalCount nodes { number status subService { id } } }
} } }"""
BY_NUMBER = "query($n: String!) { viewer { subscriber { ticket(number: $n) { number events { kind } } } } }"
NODE = "query($id: ID!) { node(id: $id) { id ... on Ticket { number } } }"
CATEGORIES = "{ ticketCategories { category label queue defaultPriority firstResponseMinutes } }"


async def upload(
    portal: Portal, query: str, variables: dict[str, Any], files: list[tuple[str, bytes, str]], path: str
) -> dict[str, Any]:
    """A GraphQL multipart request (operations, map, files), as the web's XMLHttpRequest sends it."""
    variables = json.loads(json.dumps(variables))
    variables["input"]["attachments"] = [None] * len(files)
    body = {
        "operations": json.dumps({"query": query, "variables": variables}),
        "map": json.dumps({str(i): [f"variables.input.attachments.{i}"] for i in range(len(files))}),
    }
    parts = {str(i): (name, data, kind) for i, (name, data, kind) in enumerate(files)}
    headers = {"Authorization": f"Bearer {portal.token}"}
    response = await portal.client.post("/graphql", data=body, files=parts, headers=headers)
    assert response.status_code == 200, response.text
    payload: dict[str, Any] = response.json()
    assert "errors" not in payload, payload["errors"]
    result: dict[str, Any] = payload["data"][path]
    return result


def new_ticket(**overrides: Any) -> dict[str, Any]:
    return {
        "input": {
            "category": "CONNECTIVITY",
            "subject": "Wi-Fi drops every evening",
            "description": "The Wi-Fi drops around 8 pm; photo of the router lights attached.",
            "subServiceId": gid("SubService", "SS-1001-1"),
            **overrides,
        }
    }


async def test_open_a_ticket_with_a_photo_and_follow_it(sign_in: SignIn, sandbox: Sandbox) -> None:
    ana = await sign_in("ana@lima.example")
    result = await upload(
        ana, OPEN, new_ticket(), [("../../router lights.png", PNG, "image/png")], "openTicket"
    )
    assert result["userErrors"] == []
    ticket = result["ticket"]
    assert (ticket["status"], ticket["queue"], ticket["subService"]["label"]) == (
        "OPEN",
        "Network Operations",
        "Internet – Home",
    )
    [first] = ticket["messages"]
    [photo] = first["attachments"]
    assert (photo["filename"], photo["contentType"], photo["sizeBytes"], photo["isImage"]) == (
        "router lights.png",
        "image/png",
        len(PNG),
        True,
    )
    assert photo["url"].startswith("/files/attachments/")
    assert [e["kind"] for e in ticket["events"]] == ["CREATED", "ASSIGNED", "ATTACHMENT_ADDED"]
    assert ticket["sla"]["firstResponseMet"] is False and ticket["canRate"] is False

    # The signed link serves the bytes as a download that is never sniffed.
    download = await ana.client.get(photo["url"])
    assert download.status_code == 200 and download.content == PNG
    assert download.headers["content-disposition"].startswith("attachment;")
    assert download.headers["x-content-type-options"] == "nosniff"

    # Support answers: first response met; the reply and a PDF from the customer follow.
    sandbox.crm.reply_to_ticket(ticket["number"], "Priya", "Please restart the router.")
    reply = await upload(
        ana,
        REPLY,
        {"input": {"ticketId": ticket["id"], "body": "Restarted; log attached."}},
        [("log.pdf", PDF, "application/pdf")],
        "replyToTicket",
    )
    assert reply["userErrors"] == []
    replied = reply["ticket"]
    assert replied["sla"]["firstResponseMet"] is True
    assert [m["fromSupport"] for m in replied["messages"]] == [False, True, False]
    assert [a["filename"] for a in replied["messages"][-1]["attachments"]] == ["log.pdf"]

    # Resolved by support → rate once; reopen brings it back.
    early = await ana.data(RATE, {"id": ticket["id"], "score": 5})
    assert early["rateTicket"]["userErrors"] == [{"code": "TICKET_NOT_RESOLVED"}]
    sandbox.crm.set_ticket_status(ticket["number"], "RESOLVED")
    rated = await ana.data(RATE, {"id": ticket["id"], "score": 5})
    assert rated["rateTicket"] == {
        "ticket": {"rating": {"score": 5, "comment": "Thanks"}, "canRate": False},
        "userErrors": [],
    }
    again = await ana.data(RATE, {"id": ticket["id"], "score": 1})
    assert again["rateTicket"]["userErrors"] == [{"code": "ALREADY_RATED"}]
    reopened = (await ana.data(REOPEN, {"id": ticket["id"]}))["reopenTicket"]
    assert reopened["ticket"]["status"] == "OPEN" and reopened["ticket"]["events"][-1]["kind"] == "REOPENED"
    closed = (await ana.data(CLOSE, {"id": ticket["id"]}))["closeTicket"]
    assert closed == {"ticket": {"status": "CLOSED"}, "userErrors": []}
    refused = await ana.data(REPLY, {"input": {"ticketId": ticket["id"], "body": "Hello?"}})
    assert [e["code"] for e in refused["replyToTicket"]["userErrors"]] == ["TICKET_CLOSED"]

    # The list filters by state and sub-service; the page finds the ticket by its number.
    active = subscriber(await ana.data(TICKETS, {"active": False}))["tickets"]["nodes"]
    assert ticket["number"] in [t["number"] for t in active]
    by_site = subscriber(await ana.data(TICKETS, {"ss": gid("SubService", "SS-1001-2")}))["tickets"]["nodes"]
    assert {t["number"] for t in by_site} == {"TCK-1"}
    found = subscriber(await ana.data(BY_NUMBER, {"n": ticket["number"]}))["ticket"]
    assert found["number"] == ticket["number"] and found["events"][0]["kind"] == "CREATED"


async def test_categories_come_from_the_crm(sign_in: SignIn) -> None:
    ana = await sign_in("ana@lima.example")
    categories = (await ana.data(CATEGORIES))["ticketCategories"]
    assert [c["category"] for c in categories] == [
        "CONNECTIVITY",
        "BILLING",
        "DEVICE",
        "INSTALLATION",
        "OTHER",
    ]
    assert categories[0]["queue"] == "Network Operations" and categories[0]["firstResponseMinutes"] == 240


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"subject": "  "}, "SUBJECT_INVALID"),
        ({"subject": "x" * 201}, "SUBJECT_INVALID"),
        ({"description": ""}, "DESCRIPTION_INVALID"),
        ({"subServiceId": gid("SubService", "SS-2001-5")}, "SUB_SERVICE_NOT_FOUND"),  # Northwind's
        ({"subServiceId": gid("SubService", "SS-9999-1")}, "SUB_SERVICE_NOT_FOUND"),
    ],
)
async def test_open_ticket_refusals_store_nothing(
    sign_in: SignIn, sandbox: Sandbox, overrides: dict[str, Any], code: str
) -> None:
    ana = await sign_in("ana@lima.example")
    before = len(sandbox.crm.support_queue(("OPEN",)))
    result = (await ana.data(OPEN, new_ticket(**overrides)))["openTicket"]
    assert result["ticket"] is None and [e["code"] for e in result["userErrors"]] == [code]
    assert len(sandbox.crm.support_queue(("OPEN",))) == before


# -- who may do what -----------------------------------------------------------------------------------------


async def test_a_foreign_ticket_answers_like_a_missing_one(sign_in: SignIn) -> None:
    ben = await sign_in("ben@okafor.example")
    foreign, missing = gid("Ticket", "TCK-1"), gid("Ticket", "TCK-404")  # TCK-1 is Ana's
    for ticket_id in (foreign, missing):
        reply = await ben.data(REPLY, {"input": {"ticketId": ticket_id, "body": "hi"}})
        assert reply["replyToTicket"] == {
            "ticket": None,
            "userErrors": [
                {"code": "NOT_FOUND", "field": ["input", "ticketId"], "message": "No such ticket."}
            ],
        }
        assert (await ben.data(CLOSE, {"id": ticket_id}))["closeTicket"]["userErrors"] == [
            {"code": "NOT_FOUND"}
        ]
        assert (await ben.data(REOPEN, {"id": ticket_id}))["reopenTicket"]["userErrors"] == [
            {"code": "NOT_FOUND"}
        ]
        assert (await ben.data(RATE, {"id": ticket_id, "score": 3}))["rateTicket"]["userErrors"] == [
            {"code": "NOT_FOUND"}
        ]
        assert (await ben.data(NODE, {"id": ticket_id}))["node"] is None
    assert subscriber(await ben.data(BY_NUMBER, {"n": "TCK-1"}))["ticket"] is None


async def test_site_user_sees_and_answers_only_tickets_of_their_sites(sign_in: SignIn) -> None:
    airport = await sign_in("airport@northwind.example")
    listed = subscriber(await airport.data(TICKETS))["tickets"]["nodes"]
    assert {t["number"] for t in listed} == {"TCK-3"}  # TCK-5 is account-level, opened by the owner
    assert subscriber(await airport.data(BY_NUMBER, {"n": "TCK-5"}))["ticket"] is None
    refused = await airport.data(REPLY, {"input": {"ticketId": gid("Ticket", "TCK-5"), "body": "hi"}})
    assert [e["code"] for e in refused["replyToTicket"]["userErrors"]] == ["NOT_FOUND"]
    answered = await airport.data(
        REPLY, {"input": {"ticketId": gid("Ticket", "TCK-3"), "body": "Still down."}}
    )
    assert answered["replyToTicket"]["userErrors"] == []

    # Opening: their own site, or the account as a whole (then they see it as its opener); not another site.
    other_site = await airport.data(OPEN, new_ticket(subServiceId=gid("SubService", "SS-2001-1")))
    assert [e["code"] for e in other_site["openTicket"]["userErrors"]] == ["SUB_SERVICE_NOT_FOUND"]
    own_site = await airport.data(OPEN, new_ticket(subServiceId=gid("SubService", "SS-2001-5")))
    assert own_site["openTicket"]["ticket"]["subService"]["id"] == gid("SubService", "SS-2001-5")
    account = (await airport.data(OPEN, new_ticket(subServiceId=None, category="BILLING")))["openTicket"]
    assert account["userErrors"] == [] and account["ticket"]["subService"] is None
    listed = subscriber(await airport.data(TICKETS))["tickets"]["nodes"]
    assert account["ticket"]["number"] in {t["number"] for t in listed}

    # The owner sees the site's tickets too.
    owner = await sign_in("it@northwind.example")
    all_numbers = {t["number"] for t in subscriber(await owner.data(TICKETS))["tickets"]["nodes"]}
    assert {"TCK-3", "TCK-5", account["ticket"]["number"]} <= all_numbers


async def test_viewer_reads_tickets_but_changes_nothing(sign_in: SignIn) -> None:
    auditor = await sign_in("auditor@northwind.example")
    listed = subscriber(await auditor.data(TICKETS))["tickets"]["nodes"]
    assert {"TCK-3", "TCK-5"} <= {t["number"] for t in listed}
    ticket_id = gid("Ticket", "TCK-3")
    for query, variables in (
        (OPEN, new_ticket(subServiceId=None)),
        (REPLY, {"input": {"ticketId": ticket_id, "body": "hi"}}),
        (CLOSE, {"id": ticket_id}),
        (REOPEN, {"id": ticket_id}),
        (RATE, {"id": ticket_id, "score": 5}),
    ):
        payload = await auditor.execute(query, variables)
        assert [e["extensions"]["code"] for e in payload["errors"]] == ["FORBIDDEN"], query
        assert payload["data"] is None


# -- what the Support pages' reads cost ----------------------------------------------------------------------

LIST_PAGE = """{ viewer { subscriber { tickets(first: 50) { nodes {
  number status subService { label } sla { elapsedPercent firstResponseMet }
} } } } }"""
TICKET_PAGE = (
    f"""query($n: String!) {{ viewer {{ subscriber {{ ticket(number: $n) {{ {TICKET_FIELDS} }} }} }} }}"""
)


async def test_support_reads_cost_a_fixed_number_of_crm_calls(sign_in: SignIn, sandbox: Sandbox) -> None:
    """The list: the subscriber, its tickets in one call and the sub-services they name in one batch, however
    many tickets; the ticket page: one batch read for the ticket with its messages, files and history."""
    owner = await sign_in("it@northwind.example")
    assert owner.transport is not None
    calls = owner.transport.calls

    async def list_cost() -> tuple[int, int]:
        before = sum(calls.values())
        listed = subscriber(await owner.data(LIST_PAGE))["tickets"]["nodes"]
        return len(listed), sum(calls.values()) - before

    few, few_calls = await list_cost()
    for i in range(12):
        sandbox.crm.service.tickets.open(
            subscriber_id="SUB-2001",
            category="CONNECTIVITY",
            subject=f"Question {i}",
            body="Details.",
            author_user_id="USR-21",
            subservice_id=f"SS-2001-{i % 6 + 1}",
        )
    many, many_calls = await list_cost()
    assert many == few + 12
    assert few_calls == many_calls <= 3, calls

    sandbox.crm.reply_to_ticket("TCK-3", "Priya", "One")
    sandbox.crm.reply_to_ticket("TCK-3", "Priya", "Two")
    before = sum(calls.values())
    page = subscriber(await owner.data(TICKET_PAGE, {"n": "TCK-3"}))["ticket"]
    assert len(page["messages"]) >= 3 and len(page["events"]) >= 4
    assert sum(calls.values()) - before <= 3, calls  # subscriber, the full ticket, its sub-service
