"""What a user sees of their account's security: the sessions signed in as them (and ending them), and the
access log — over the real BFF and sandbox, in-process."""

from __future__ import annotations

from typing import Any

from tests.harness.portal import VIEWER, Portal
from tests.schema.helpers import gid

CHROME_ON_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36"
)
SAFARI_ON_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.2 Mobile/15E148 Safari/604.1"
)
SESSIONS = """
query { viewer { sessions { id browser operatingSystem device ipAddress signedInAt lastActiveAt current } } }
"""
REVOKE = """
mutation($id: ID!) {
  revokeSession(input: {sessionId: $id}) {
    revokedSessionId sessions { id current } userErrors { code field message }
  }
}
"""
EVERYWHERE = """
mutation($keep: Boolean!) {
  signOutEverywhere(input: {keepCurrent: $keep}) { endedCount sessions { id current } }
}
"""
LOG = "query { viewer { accessLog(first: 50) { totalCount nodes { action ipAddress device userName } } } }"


async def device(portal: Portal, email: str, user_agent: str) -> Portal:
    """A new client of the portal's app, with its own user agent, signed in as `email`."""
    client = portal.another()
    client.client.headers["user-agent"] = user_agent
    return await client.sign_in(email)


async def sessions(portal: Portal) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = (await portal.data(SESSIONS))["viewer"]["sessions"]
    return found


async def test_the_sessions_list_says_where_the_user_is_signed_in(portal: Portal) -> None:
    laptop = await device(portal, "ops@northwind.example", CHROME_ON_WINDOWS)
    await device(portal, "ops@northwind.example", SAFARI_ON_IPHONE)
    await device(portal, "it@northwind.example", CHROME_ON_WINDOWS)  # another user: not listed
    listed = await sessions(laptop)
    assert len(listed) == 2
    [this] = [s for s in listed if s["current"]]
    assert (this["browser"], this["operatingSystem"], this["device"]) == (
        "Chrome 126",
        "Windows 10",
        "Desktop",
    )
    [phone] = [s for s in listed if not s["current"]]
    assert (phone["browser"], phone["operatingSystem"], phone["device"]) == (
        "Mobile Safari 17",
        "iOS 17.2",
        "iPhone",
    )
    assert this["ipAddress"] == "203.0.113.7"


async def test_a_revoked_session_is_refused_at_its_next_request(portal: Portal) -> None:
    laptop = await device(portal, "ops@northwind.example", CHROME_ON_WINDOWS)
    phone = await device(portal, "ops@northwind.example", SAFARI_ON_IPHONE)
    [phone_session] = [s for s in await sessions(phone) if s["current"]]
    answer = (await laptop.data(REVOKE, {"id": phone_session["id"]}))["revokeSession"]
    assert answer["userErrors"] == [] and answer["revokedSessionId"] == phone_session["id"]
    assert [s["current"] for s in answer["sessions"]] == [True]
    assert (await phone.execute(VIEWER))["data"] == {"viewer": None}
    assert (await laptop.data(VIEWER))["viewer"]["role"] == "MANAGER"


async def test_another_users_or_a_made_up_session_looks_missing(portal: Portal) -> None:
    owner = await device(portal, "it@northwind.example", CHROME_ON_WINDOWS)
    manager = await device(portal, "ops@northwind.example", CHROME_ON_WINDOWS)
    [owners] = await sessions(owner)
    for session_id in (owners["id"], gid("PortalSession", "no-such-session"), "not-an-id"):
        answer = (await manager.data(REVOKE, {"id": session_id}))["revokeSession"]
        assert answer["revokedSessionId"] is None
        assert answer["userErrors"] == [
            {"code": "NOT_FOUND", "field": ["input", "sessionId"], "message": "No such session."}
        ]
    assert (await owner.data(VIEWER))["viewer"]["role"] == "OWNER"


async def test_sign_out_everywhere_ends_every_other_session(portal: Portal) -> None:
    first = await device(portal, "ops@northwind.example", CHROME_ON_WINDOWS)
    second = await device(portal, "ops@northwind.example", SAFARI_ON_IPHONE)
    third = await device(portal, "ops@northwind.example", CHROME_ON_WINDOWS)
    answer = (await third.data(EVERYWHERE, {"keep": True}))["signOutEverywhere"]
    assert answer["endedCount"] == 2 and [s["current"] for s in answer["sessions"]] == [True]
    for ended in (first, second):
        assert (await ended.execute(VIEWER))["data"] == {"viewer": None}
    assert (await third.data(VIEWER))["viewer"]["role"] == "MANAGER"
    everything = (await third.data(EVERYWHERE, {"keep": False}))["signOutEverywhere"]
    assert (everything["endedCount"], everything["sessions"]) == (1, [])
    assert (await third.execute(VIEWER))["data"] == {"viewer": None}


async def test_the_access_log_shows_sign_ins_failures_and_revocations(portal: Portal) -> None:
    await portal.login("ops@northwind.example", "not-the-password")
    manager = await device(portal, "ops@northwind.example", SAFARI_ON_IPHONE)
    await manager.data(EVERYWHERE, {"keep": True})
    entries = (await manager.data(LOG))["viewer"]["accessLog"]["nodes"]
    actions = [e["action"] for e in entries]
    assert actions[:3] == ["SIGNED_OUT_EVERYWHERE", "SIGNED_IN", "SIGN_IN_FAILED"]
    assert entries[1]["device"] == "Mobile Safari 17 on iOS 17.2"
    assert entries[2]["ipAddress"] == "203.0.113.7"
    assert {e["userName"] for e in entries} == {"Omar Haddad"}


async def test_an_owner_sees_the_whole_accounts_log_and_others_only_their_own(portal: Portal) -> None:
    await device(portal, "ops@northwind.example", CHROME_ON_WINDOWS)
    owner = await device(portal, "it@northwind.example", CHROME_ON_WINDOWS)
    finance = await device(portal, "finance@northwind.example", CHROME_ON_WINDOWS)
    owner_sees = {e["userName"] for e in (await owner.data(LOG))["viewer"]["accessLog"]["nodes"]}
    finance_sees = {e["userName"] for e in (await finance.data(LOG))["viewer"]["accessLog"]["nodes"]}
    assert {"Dana Reyes", "Omar Haddad", "Fiona Park"} <= owner_sees
    assert finance_sees == {"Fiona Park"}


async def test_card_and_autopay_changes_are_in_the_access_log(portal: Portal) -> None:
    finance = await device(portal, "finance@northwind.example", CHROME_ON_WINDOWS)
    answer = await finance.data("mutation { setAutopay(input: {enabled: false}) { userErrors { code } } }")
    assert answer["setAutopay"]["userErrors"] == []
    entries = (await finance.data(LOG))["viewer"]["accessLog"]["nodes"]
    assert entries[0]["action"] == "AUTOPAY_CHANGED"
    assert entries[0]["device"] == "Chrome 126 on Windows 10"
