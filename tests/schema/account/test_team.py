"""The account's people over the real BFF and sandbox, in-process: viewer.team, inviteTeamMember (with the
e-mailed link to a first password), changeTeamMember, disableTeamMember, removeTeamMember — who may do what
to whom, each coded refusal, the access log, and the changed person's sessions following at once."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from sandbox.app import Sandbox
from tests.harness.core_events import deliver_core_events
from tests.harness.portal import VIEWER, Portal
from tests.schema.account.test_credentials import LOGIN, VERIFY, enrol, next_code
from tests.schema.helpers import gid

TEAM = "query { viewer { canManageTeam team { id email name role siteIds disabled twoFactorEnabled } } }"
INVITE = """
mutation($email: String!, $role: Role!, $sites: [ID!]! = []) {
  inviteTeamMember(input: {email: $email, name: "New Person", role: $role, siteIds: $sites}) {
    member { id email role siteIds } userErrors { code field message }
  }
}
"""
CHANGE = """
mutation($id: ID!, $role: Role!, $sites: [ID!]! = []) {
  changeTeamMember(input: {memberId: $id, role: $role, siteIds: $sites}) {
    member { id role siteIds } userErrors { code field message }
  }
}
"""
DISABLE = """
mutation($id: ID!, $disabled: Boolean! = true) {
  disableTeamMember(input: {memberId: $id, disabled: $disabled}) { member { id disabled } userErrors { code } }
}
"""
REMOVE = """
mutation($id: ID!) { removeTeamMember(input: {memberId: $id}) { removedMemberId userErrors { code field } } }
"""
RESET = """
mutation($token: String!, $new: String!) { resetPassword(input: {token: $token, newPassword: $new}) { ok } }
"""
LOG = "query { viewer { accessLog(first: 20) { nodes { action userName detail } } } }"
OWNER, MANAGER, FINANCE, SITE = (
    "it@northwind.example",
    "ops@northwind.example",
    "finance@northwind.example",
    "airport@northwind.example",
)


def user(raw: str) -> str:
    return gid("PortalUser", raw)


def site(raw: str) -> str:
    return gid("SubService", raw)


async def errors(answer: dict[str, Any]) -> list[str]:
    return [e["code"] for e in next(iter(answer.values()))["userErrors"]]


async def test_owners_and_managers_see_the_team_others_do_not(portal: Portal) -> None:
    owner = await portal.another().sign_in(OWNER)
    team = (await owner.data(TEAM))["viewer"]
    assert team["canManageTeam"] is True
    assert [m["email"] for m in team["team"]] == [OWNER, MANAGER, FINANCE, "auditor@northwind.example", SITE]
    [sam] = [m for m in team["team"] if m["email"] == SITE]
    assert sam["siteIds"] == [site("SS-2001-5"), site("SS-2001-6")] and sam["twoFactorEnabled"] is False
    finance = await portal.another().sign_in(FINANCE)
    assert (await finance.data(TEAM))["viewer"] == {"canManageTeam": False, "team": []}
    refused = await finance.execute(INVITE, {"email": "x@northwind.example", "role": "VIEWER"})
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_invite_sends_a_link_to_a_first_password(portal: Portal, sandbox: Sandbox) -> None:
    owner = await portal.another().sign_in(OWNER)
    answer = await owner.data(
        INVITE, {"email": "new.person@northwind.example", "role": "SITE", "sites": [site("SS-2001-1")]}
    )
    member = answer["inviteTeamMember"]["member"]
    assert (member["role"], member["siteIds"]) == ("SITE", [site("SS-2001-1")])
    [mail] = [m for m in sandbox.crm.emails(5) if m["to"] == "new.person@northwind.example"]
    link = re.search(r"\S+/reset-password\?token=\S+", mail["body"])
    assert link and "Dana Reyes invited you" in mail["body"]
    token = parse_qs(urlsplit(link.group(0)).query)["token"][0]
    assert (await portal.data(RESET, {"token": token, "new": "my-own-passphrase"}))["resetPassword"]["ok"]
    newcomer = await portal.another().sign_in("new.person@northwind.example", "my-own-passphrase")
    assert (await newcomer.data(VIEWER))["viewer"]["role"] == "SITE"
    entries = (await owner.data(LOG))["viewer"]["accessLog"]["nodes"]
    [invited] = [e for e in entries if e["action"] == "TEAM_CHANGED"]
    assert invited["detail"] == "invited new.person@northwind.example as SITE"


@pytest.mark.parametrize(
    ("variables", "code"),
    [
        ({"email": OWNER, "role": "VIEWER"}, "EMAIL_TAKEN"),
        ({"email": "ana@lima.example", "role": "VIEWER"}, "EMAIL_TAKEN"),  # another account's user
        ({"email": "not-an-address", "role": "VIEWER"}, "INVALID_EMAIL"),
        ({"email": "a@northwind.example", "role": "SITE"}, "SITE_REQUIRED"),
        ({"email": "a@northwind.example", "role": "SITE", "sites": [site("SS-3001-101")]}, "SITE_NOT_FOUND"),
        ({"email": "a@northwind.example", "role": "SITE", "sites": ["not-an-id"]}, "SITE_NOT_FOUND"),
    ],
)
async def test_invite_refusals(portal: Portal, variables: dict[str, Any], code: str) -> None:
    owner = await portal.another().sign_in(OWNER)
    assert await errors(await owner.data(INVITE, variables)) == [code]


async def test_a_manager_cannot_touch_owners_or_make_one(portal: Portal) -> None:
    manager = await portal.another().sign_in(MANAGER)
    assert await errors(await manager.data(INVITE, {"email": "boss@northwind.example", "role": "OWNER"})) == [
        "NOT_ALLOWED"
    ]
    assert await errors(await manager.data(CHANGE, {"id": user("USR-22"), "role": "OWNER"})) == [
        "NOT_ALLOWED"
    ]
    for query in (CHANGE, DISABLE, REMOVE):
        variables = {"id": user("USR-20"), "role": "VIEWER"} if query is CHANGE else {"id": user("USR-20")}
        assert await errors(await manager.data(query, variables)) == ["NOT_ALLOWED"]
    changed = (await manager.data(CHANGE, {"id": user("USR-22"), "role": "VIEWER"}))["changeTeamMember"]
    assert changed["member"]["role"] == "VIEWER"


async def test_nobody_changes_themselves_and_strangers_look_missing(portal: Portal) -> None:
    owner = await portal.another().sign_in(OWNER)
    assert await errors(await owner.data(CHANGE, {"id": user("USR-20"), "role": "VIEWER"})) == ["SELF"]
    assert await errors(await owner.data(DISABLE, {"id": user("USR-20")})) == ["SELF"]
    assert await errors(await owner.data(REMOVE, {"id": user("USR-20")})) == ["SELF"]
    for stranger in (user("USR-1"), user("USR-404"), gid("Invoice", "USR-21"), "junk"):
        for query in (CHANGE, DISABLE, REMOVE):
            variables = {"id": stranger, "role": "VIEWER"} if query is CHANGE else {"id": stranger}
            answer = await owner.data(query, variables)
            assert await errors(answer) == ["NOT_FOUND"], (stranger, query)
    answer = await owner.data(CHANGE, {"id": user("USR-23"), "role": "SITE", "sites": [site("SS-3001-101")]})
    assert await errors(answer) == ["SITE_NOT_FOUND"]


async def test_a_role_change_reaches_the_persons_sessions_at_once(portal: Portal) -> None:
    owner = await portal.another().sign_in(OWNER)
    finance = await portal.another().sign_in(FINANCE)
    assert (await finance.data(VIEWER))["viewer"]["canManageBilling"] is True
    await owner.data(CHANGE, {"id": user("USR-22"), "role": "SITE", "sites": [site("SS-2001-1")]})
    # The token minted before the change is refused until refreshed: the new role applies at once.
    stale = await finance.execute(VIEWER)
    assert stale["data"] == {"viewer": None}


async def test_disable_and_remove_end_the_persons_sessions(portal: Portal, sandbox: Sandbox) -> None:
    owner = await portal.another().sign_in(OWNER)
    auditor = await portal.another().sign_in("auditor@northwind.example")
    disabled = (await owner.data(DISABLE, {"id": user("USR-23")}))["disableTeamMember"]
    assert disabled["member"]["disabled"] is True
    assert (await auditor.execute(VIEWER))["data"] == {"viewer": None}
    assert (await portal.login("auditor@northwind.example"))["userErrors"][0]["code"] == "USER_DISABLED"
    assert (await owner.data(DISABLE, {"id": user("USR-23"), "disabled": False}))["disableTeamMember"][
        "member"
    ]["disabled"] is False
    again = await portal.another().sign_in("auditor@northwind.example")
    removed = (await owner.data(REMOVE, {"id": user("USR-23")}))["removeTeamMember"]
    assert removed == {"removedMemberId": user("USR-23"), "userErrors": []}
    assert (await again.execute(VIEWER))["data"] == {"viewer": None}
    assert "auditor@northwind.example" not in [m["email"] for m in (await owner.data(TEAM))["viewer"]["team"]]
    assert (await portal.login("auditor@northwind.example"))["userErrors"][0]["code"] == "INVALID_CREDENTIALS"
    assert await errors(await owner.data(REMOVE, {"id": user("USR-23")})) == ["NOT_FOUND"]
    log = [e["action"] for e in (await owner.data(LOG))["viewer"]["accessLog"]["nodes"]]
    assert log.count("TEAM_CHANGED") == 3


async def test_after_a_role_change_a_refresh_brings_the_new_role_and_the_crms_event_changes_nothing_more(
    portal: Portal, sandbox: Sandbox
) -> None:
    owner = await portal.another().sign_in(OWNER)
    finance = portal.another()
    signed = await finance.login(FINANCE, delivery="BODY")
    await owner.data(CHANGE, {"id": user("USR-22"), "role": "VIEWER"})
    refresh = """
    mutation($token: String!) {
      refreshSession(input: {refreshToken: $token}) { accessToken refreshToken viewer { role } userErrors { code } }
    }
    """
    renewed = (await finance.data(refresh, {"token": signed["refreshToken"]}))["refreshSession"]
    assert renewed["viewer"]["role"] == "VIEWER"
    # The CRM's own signed `portal_user.updated` events for the change arrive later: the same identity again.
    assert await deliver_core_events(sandbox.crm, portal) >= 1
    assert (await finance.data(VIEWER, bearer=renewed["accessToken"]))["viewer"]["role"] == "VIEWER"


async def test_invitations_are_limited_per_account(portal: Portal) -> None:
    owner = await portal.another().sign_in(OWNER)
    codes = []
    for n in range(21):
        answer = await owner.data(INVITE, {"email": f"person{n}@northwind.example", "role": "VIEWER"})
        codes.append(await errors(answer))
    assert codes[:20] == [[]] * 20 and codes[20] == ["RATE_LIMITED"]


async def test_a_person_disabled_between_password_and_code_is_not_let_in(portal: Portal) -> None:
    auditor = await portal.another().sign_in("auditor@northwind.example")
    totp, _ = await enrol(auditor)
    login = await portal.execute(LOGIN, {"email": "auditor@northwind.example", "password": "wispgate-demo"})
    challenge = login["data"]["login"]["secondFactor"]["challenge"]
    owner = await portal.another().sign_in(OWNER)
    await owner.data(DISABLE, {"id": user("USR-23")})
    answer = (await portal.data(VERIFY, {"challenge": challenge, "code": next_code(totp)}))[
        "verifySecondFactor"
    ]
    assert answer["userErrors"][0]["code"] == "USER_DISABLED" and answer["accessToken"] is None
