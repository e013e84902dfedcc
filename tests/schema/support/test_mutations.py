"""Marking notifications read through the real BFF over the test's own sandbox."""

from __future__ import annotations

from tests.harness.portal import SignIn
from tests.schema.helpers import payload, subscriber
from tests.schema.queries import MARK_READ, NOTIFICATIONS


async def test_mark_notifications_read_lowers_the_unread_count(sign_in: SignIn) -> None:
    ana = await sign_in("ana@lima.example")
    before = subscriber(await ana.data(NOTIFICATIONS))["notifications"]
    unread = [n["id"] for n in before["nodes"] if not n["read"]]
    assert unread, "the seed gives Ana unread notifications"

    result = await payload(ana, MARK_READ, {"ids": unread[:1]}, "markNotificationsRead")

    assert result == {"unreadCount": before["unreadCount"] - 1, "userErrors": []}
    after = subscriber(await ana.data(NOTIFICATIONS))["notifications"]
    assert after["unreadCount"] == before["unreadCount"] - 1
    assert {n["id"]: n["read"] for n in after["nodes"]}[unread[0]] is True
    # Marking nothing, or again, changes nothing.
    assert (await payload(ana, MARK_READ, {"ids": []}, "markNotificationsRead"))["unreadCount"] == after[
        "unreadCount"
    ]
    assert (await payload(ana, MARK_READ, {"ids": unread[:1]}, "markNotificationsRead"))[
        "unreadCount"
    ] == after["unreadCount"]


async def test_marking_someone_elses_notifications_does_nothing(sign_in: SignIn) -> None:
    ana = await sign_in("ana@lima.example")
    anas_before = subscriber(await ana.data(NOTIFICATIONS))["notifications"]
    ben = await sign_in("ben@okafor.example")
    bens_before = subscriber(await ben.data(NOTIFICATIONS))["notifications"]["unreadCount"]

    result = await payload(
        ben, MARK_READ, {"ids": [n["id"] for n in anas_before["nodes"]]}, "markNotificationsRead"
    )

    assert result["unreadCount"] == bens_before
    assert subscriber(await ana.data(NOTIFICATIONS))["notifications"] == anas_before
