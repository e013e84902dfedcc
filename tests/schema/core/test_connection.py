"""Connections: the cursor and window arithmetic of `schema.core.connection`, then the same through the graph —
opaque cursors, exact totals, filters before paging, `first` bounded (refused, not clamped)."""

from __future__ import annotations

from typing import Any

import pytest

from schema.core.connection import MAX_FIRST, decode_cursor, encode_cursor, window
from schema.core.errors import BadUserInput
from tests.harness.portal import SignIn
from tests.schema.helpers import codes, gid
from tests.schema.queries import SUBSERVICE_PAGE


def test_cursors_round_trip_and_are_opaque() -> None:
    for offset in (0, 1, 99, 123456):
        cursor = encode_cursor(offset)
        assert str(offset) not in cursor
        assert decode_cursor(cursor) == offset


@pytest.mark.parametrize("cursor", ["", "!!", "bzo", "bzotMQ", "eDox", "bzoxMjM0NTY3ODkwMTI", "a" * 65])
def test_foreign_cursors_are_bad_user_input(cursor: str) -> None:
    with pytest.raises(BadUserInput):
        decode_cursor(cursor)


def test_window_slices_after_the_cursor() -> None:
    win = window(40, 7, encode_cursor(34), 50)
    assert (win.start, win.stop, win.total) == (35, 40, 40)
    info = win.page_info()
    assert info.has_next_page is False and info.has_previous_page is True
    assert info.start_cursor == encode_cursor(35) and info.end_cursor == encode_cursor(39)


def test_window_past_the_end_is_empty_not_an_error() -> None:
    win = window(3, 10, encode_cursor(10), 50)
    assert win.start == win.stop == 3
    assert win.page_info().start_cursor is None


def test_first_bounds() -> None:
    assert window(500, None, None, 50).stop == 50
    assert window(500, MAX_FIRST, None, 50).stop == MAX_FIRST
    with pytest.raises(BadUserInput):
        window(500, MAX_FIRST + 1, None, 50)
    with pytest.raises(BadUserInput):
        window(500, -1, None, 50)


# ------------------------------------------------------------------------------------ through the graph


def _page(data: dict[str, Any]) -> dict[str, Any]:
    page: dict[str, Any] = data["viewer"]["subscriber"]["subServices"]
    return page


async def test_walks_all_forty_apartments_exactly_once(sign_in: SignIn) -> None:
    portal = await sign_in("manager@harborview.example")
    seen: list[str] = []
    after: str | None = None
    pages = 0
    while True:
        page = _page(await portal.data(SUBSERVICE_PAGE, {"first": 7, "after": after}))
        pages += 1
        assert page["totalCount"] == 40
        assert [e["node"]["id"] for e in page["edges"]] == [n["id"] for n in page["nodes"]]
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        assert page["pageInfo"]["startCursor"] == page["edges"][0]["cursor"]
        assert page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]
        seen += [e["node"]["label"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert pages == 6
    assert len(seen) == len(set(seen)) == 40
    assert set(seen) == {f"Internet – Apt {f * 100 + u}" for f in range(1, 5) for u in range(1, 11)}


async def test_first_above_100_is_refused_not_clamped(sign_in: SignIn) -> None:
    portal = await sign_in("manager@harborview.example")
    answer = await portal.execute(SUBSERVICE_PAGE, {"first": 101})
    assert codes(answer) == ["BAD_USER_INPUT"]
    assert "100" in answer["errors"][0]["message"]
    assert _page(await portal.data(SUBSERVICE_PAGE, {"first": 100}))["totalCount"] == 40
    assert codes(await portal.execute(SUBSERVICE_PAGE, {"first": -1})) == ["BAD_USER_INPUT"]
    invoices = await portal.execute("{ viewer { subscriber { invoices(first: 101) { totalCount } } } }")
    assert codes(invoices) == ["BAD_USER_INPUT"]


async def test_malformed_cursor_is_bad_user_input(sign_in: SignIn) -> None:
    portal = await sign_in("manager@harborview.example")
    for cursor in ("garbage", "bzp4", "b246LTE"):  # not base64 of ours / "o:x" / "on:-1"
        assert codes(await portal.execute(SUBSERVICE_PAGE, {"after": cursor})) == ["BAD_USER_INPUT"], cursor


async def test_filters_apply_before_paging(sign_in: SignIn) -> None:
    portal = await sign_in("it@northwind.example")
    voip = _page(await portal.data(SUBSERVICE_PAGE, {"kind": "VOIP", "first": 2}))
    assert voip["totalCount"] == 5
    assert len(voip["edges"]) == 2 and voip["pageInfo"]["hasNextPage"] is True
    assert all(e["node"]["label"].startswith("VoIP") for e in voip["edges"])
    active = _page(await portal.data(SUBSERVICE_PAGE, {"status": "ACTIVE"}))
    assert active["totalCount"] == 10

    ben = await sign_in("ben@okafor.example")
    suspended = _page(await ben.data(SUBSERVICE_PAGE, {"status": "SUSPENDED"}))
    assert [e["node"]["status"] for e in suspended["edges"]] == ["SUSPENDED"]
    assert _page(await ben.data(SUBSERVICE_PAGE, {"status": "ACTIVE"}))["totalCount"] == 0


async def test_invoice_status_filter_and_paging(sign_in: SignIn) -> None:
    portal = await sign_in("manager@harborview.example")
    query = """query($after: String) { viewer { subscriber {
      all: invoices(first: 100) { totalCount }
      open: invoices(status: OPEN, first: 100) { totalCount nodes { status } }
      page: invoices(first: 15, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { id } }
    } } }"""
    first = (await portal.data(query))["viewer"]["subscriber"]
    assert first["open"]["totalCount"] == 40
    assert {n["status"] for n in first["open"]["nodes"]} == {"OPEN"}
    total = first["all"]["totalCount"]
    assert total > 40 and first["page"]["totalCount"] == total
    ids: list[str] = [n["id"] for n in first["page"]["nodes"]]
    after = first["page"]["pageInfo"]["endCursor"]
    while after is not None:
        page = (await portal.data(query, {"after": after}))["viewer"]["subscriber"]["page"]
        ids += [n["id"] for n in page["nodes"]]
        after = page["pageInfo"]["endCursor"] if page["pageInfo"]["hasNextPage"] else None
    assert len(ids) == len(set(ids)) == total


async def test_notifications_and_wallet_connections(sign_in: SignIn) -> None:
    portal = await sign_in("it@northwind.example")
    data = await portal.data(
        """{ viewer { subscriber {
          notifications(first: 1) { totalCount unreadCount nodes { id read } }
          unread: notifications(unreadOnly: true) { totalCount nodes { read } }
          wallet { transactions(first: 1) { totalCount pageInfo { hasNextPage } nodes { kind amount { amount } } } }
        } } }"""
    )
    me = data["viewer"]["subscriber"]
    # Northwind's one notification is already read: the unread-only filter must leave it out.
    assert me["notifications"]["totalCount"] == 1
    assert me["notifications"]["nodes"] == [{"id": gid("Notification", "NTF-3"), "read": True}]
    assert me["unread"]["totalCount"] == me["notifications"]["unreadCount"] == 0
    assert me["unread"]["nodes"] == []
    tx = me["wallet"]["transactions"]
    assert tx["totalCount"] == 1
    assert tx["nodes"] == [{"kind": "OVERPAYMENT", "amount": {"amount": "250.00"}}]
    assert tx["pageInfo"]["hasNextPage"] is False
