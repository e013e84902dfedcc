"""Contact details and notification preferences over the real BFF and sandbox, in-process: who may change
what (OWNER/MANAGER the account's details, everyone but VIEWER their own phone, everyone their own
preferences), each coded refusal with its field, bounds, the access log, the e-mail to the old address."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

import pytest

from sandbox.app import Sandbox
from sandbox.world import DEMO_PASSWORD
from tests.harness.portal import Portal

DETAILS = """
query {
  viewer {
    subscriber { email phone address billingAddress { lines city region postalCode country } }
    profile { phone notificationPreferences { kind channel enabled locked } }
  }
}
"""
UPDATE = """
mutation($input: UpdateContactDetailsInput!) {
  updateContactDetails(input: $input) {
    subscriber { id email phone address billingAddress { lines city region postalCode country } }
    userErrors { code field message }
  }
}
"""
MY_PHONE = """
mutation($phone: String) {
  updateMyContactDetails(input: {phone: $phone}) { profile { phone } userErrors { code field } }
}
"""
PREFS = """
mutation($prefs: [NotificationPreferenceInput!]!) {
  setNotificationPreferences(input: {preferences: $prefs}) {
    profile { notificationPreferences { kind channel enabled locked } }
    userErrors { code field }
  }
}
"""
LOG = "query { viewer { accessLog(first: 5) { nodes { action detail } } } }"
OWNER, MANAGER, FINANCE, VIEWER_, SITE = (
    "it@northwind.example",
    "ops@northwind.example",
    "finance@northwind.example",
    "auditor@northwind.example",
    "airport@northwind.example",
)
ADDRESS = {"lines": ["1 Harbour Road", "Floor 3"], "city": "Porto", "postalCode": "4000-001", "country": "pt"}


def payload(answer: dict[str, Any]) -> dict[str, Any]:
    return next(iter(answer.values()))  # type: ignore[no-any-return]


async def test_an_owner_changes_the_accounts_contact_details(portal: Portal, sandbox: Sandbox) -> None:
    owner = await portal.another().sign_in(OWNER)
    before = (await owner.data(DETAILS))["viewer"]
    assert (
        before["subscriber"]["billingAddress"] is None
        and before["subscriber"]["email"] == "accounts@northwind.example"
    )
    answer = payload(
        await owner.data(
            UPDATE,
            {
                "input": {
                    "email": "billing@northwind.example",
                    "phone": "+351 22 123 4567",
                    "billingAddress": ADDRESS,
                }
            },
        )
    )
    assert answer["userErrors"] == []
    subscriber = answer["subscriber"]
    assert (subscriber["email"], subscriber["phone"]) == ("billing@northwind.example", "+351221234567")
    assert subscriber["billingAddress"] == {
        "lines": ["1 Harbour Road", "Floor 3"],
        "city": "Porto",
        "region": None,
        "postalCode": "4000-001",
        "country": "PT",
    }
    assert subscriber["address"] == "1 Harbour Road, Floor 3, 4000-001 Porto, PT"
    # The old address is told; the login e-mail is untouched (the owner still signs in with it).
    [told] = [m for m in sandbox.crm.emails(5) if m["to"] == "accounts@northwind.example"]
    assert "billing@northwind.example" in told["body"] and "Dana Reyes" in told["body"]
    assert await portal.another().sign_in(OWNER)
    entries = (await owner.data(LOG))["viewer"]["accessLog"]["nodes"]
    assert {"action": "CONTACT_DETAILS_CHANGED", "detail": "email,phone,billing_address"} in entries


async def test_a_manager_may_too_but_finance_site_and_viewer_may_not(portal: Portal) -> None:
    manager = await portal.another().sign_in(MANAGER)
    assert payload(await manager.data(UPDATE, {"input": {"phone": "+1 555 010 7777"}}))["userErrors"] == []
    for email in (FINANCE, SITE, VIEWER_):
        other = await portal.another().sign_in(email)
        refused = await other.execute(UPDATE, {"input": {"phone": "+1 555 010 8888"}})
        assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN", email
    viewer = await portal.another().sign_in(VIEWER_)
    assert (await viewer.execute(MY_PHONE, {"phone": "+1 555 010 8888"}))["errors"][0]["extensions"][
        "code"
    ] == "FORBIDDEN"


@pytest.mark.parametrize(
    ("input_", "code", "field"),
    [
        ({"email": "not an address"}, "INVALID_EMAIL", ["input", "email"]),
        ({"email": "a" * 250 + "@x.example"}, "EMAIL_TOO_LONG", ["input", "email"]),
        ({"phone": "022 123 4567"}, "INVALID_PHONE", ["input", "phone"]),
        ({"phone": "+1 234"}, "INVALID_PHONE", ["input", "phone"]),
        ({"phone": "9" * 5000}, "INVALID_PHONE", ["input", "phone"]),
        (
            {"billingAddress": {**ADDRESS, "country": "UK"}},
            "INVALID_COUNTRY",
            ["input", "billingAddress", "country"],
        ),
        ({"billingAddress": {**ADDRESS, "city": " "}}, "REQUIRED", ["input", "billingAddress", "city"]),
        (
            {"billingAddress": {**ADDRESS, "lines": ["a", "b", "c", "d"]}},
            "TOO_LONG",
            ["input", "billingAddress", "lines"],
        ),
        (
            {"billingAddress": {**ADDRESS, "region": "r" * 81}},
            "TOO_LONG",
            ["input", "billingAddress", "region"],
        ),
        ({}, "NOTHING_TO_CHANGE", None),
    ],
)
async def test_bad_contact_details_are_refused_with_a_code_and_change_nothing(
    portal: Portal, sandbox: Sandbox, input_: dict[str, Any], code: str, field: list[str] | None
) -> None:
    owner = await portal.another().sign_in(OWNER)
    before = (await owner.data(DETAILS))["viewer"]["subscriber"]
    # A good e-mail beside the bad value: nothing is half-applied.
    answer = payload(
        await owner.data(
            UPDATE, {"input": {**({"email": "x@northwind.example"} if input_ else {}), **input_}}
        )
    )
    [error] = answer["userErrors"]
    assert (error["code"], error["field"], answer["subscriber"]) == (code, field, None)
    assert (await owner.data(DETAILS))["viewer"]["subscriber"] == before


async def test_each_user_sets_their_own_phone(portal: Portal) -> None:
    site = await portal.another().sign_in(SITE)
    answer = payload(await site.data(MY_PHONE, {"phone": "00 351 912 345 678"}))
    assert answer == {"profile": {"phone": "+351912345678"}, "userErrors": []}
    bad = payload(await site.data(MY_PHONE, {"phone": "912 345 678"}))
    assert bad["userErrors"] == [{"code": "INVALID_PHONE", "field": ["input", "phone"]}]
    assert (await site.data(DETAILS))["viewer"]["profile"]["phone"] == "+351912345678"
    # Somebody else's profile is theirs: the owner's phone did not change.
    owner = await portal.another().sign_in(OWNER)
    assert (await owner.data(DETAILS))["viewer"]["profile"]["phone"] is None
    assert payload(await site.data(MY_PHONE, {"phone": None}))["profile"] == {"phone": None}


async def test_notification_preferences_for_every_role_with_security_email_locked(portal: Portal) -> None:
    viewer = await portal.another().sign_in(VIEWER_)  # read-only for the account, not for their own inbox
    grid = (await viewer.data(DETAILS))["viewer"]["profile"]["notificationPreferences"]
    assert len(grid) == 10 and all(p["enabled"] for p in grid)
    assert [(p["kind"], p["channel"]) for p in grid if p["locked"]] == [("SECURITY", "EMAIL")]
    off = payload(
        await viewer.data(PREFS, {"prefs": [{"kind": "OUTAGES", "channel": "EMAIL", "enabled": False}]})
    )
    assert off["userErrors"] == []
    assert {"kind": "OUTAGES", "channel": "EMAIL", "enabled": False, "locked": False} in off["profile"][
        "notificationPreferences"
    ]
    for prefs, code in [
        ([{"kind": "SECURITY", "channel": "EMAIL", "enabled": False}], "SECURITY_EMAIL_REQUIRED"),
        ([{"kind": "USAGE", "channel": "EMAIL", "enabled": False}] * 2, "DUPLICATE"),
        ([{"kind": "USAGE", "channel": "EMAIL", "enabled": False}] * 11, "DUPLICATE"),
        ([], "NOTHING_TO_CHANGE"),
    ]:
        refused = payload(await viewer.data(PREFS, {"prefs": prefs}))
        assert refused["userErrors"] == [{"code": code, "field": ["input", "preferences"]}]
    grid = (await viewer.data(DETAILS))["viewer"]["profile"]["notificationPreferences"]
    assert [p for p in grid if not p["enabled"]] == [
        {"kind": "OUTAGES", "channel": "EMAIL", "enabled": False, "locked": False}
    ]
    entry = (await viewer.data(LOG))["viewer"]["accessLog"]["nodes"][0]
    assert entry["action"] == "NOTIFICATION_PREFERENCES_CHANGED"


async def test_without_a_session_nothing_changes(portal: Portal) -> None:
    for query, variables in [
        (UPDATE, {"input": {"phone": "+15550101999"}}),
        (MY_PHONE, {"phone": "+15550101999"}),
        (PREFS, {"prefs": [{"kind": "USAGE", "channel": "EMAIL", "enabled": False}]}),
    ]:
        answer = await portal.another().execute(query, variables)
        assert answer["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


REQUEST_EMAIL = """
mutation($password: String!, $email: String!) {
  requestLoginEmailChange(input: {currentPassword: $password, newEmail: $email}) {
    sentTo retryAfterSeconds userErrors { code field }
  }
}
"""
CONFIRM_EMAIL = """
mutation($token: String!) { confirmLoginEmailChange(input: {token: $token}) { email userErrors { code field } } }
"""
ME = "query { viewer { user { email } } }"


async def test_the_login_email_changes_with_the_password_and_the_link_sent_to_the_new_address(
    portal: Portal, sandbox: Sandbox
) -> None:
    manager = portal.another()
    signed = await manager.login(MANAGER, delivery="BODY")
    manager.token = signed["accessToken"]
    wrong = payload(
        await manager.data(REQUEST_EMAIL, {"password": "not-my-password", "email": "omar@northwind.example"})
    )
    assert wrong["userErrors"] == [{"code": "INVALID_CREDENTIALS", "field": ["input", "currentPassword"]}]
    for email, code in [
        ("omar", "INVALID_EMAIL"),
        (OWNER, "EMAIL_TAKEN"),
        (MANAGER.upper(), "EMAIL_UNCHANGED"),
    ]:
        refused = payload(await manager.data(REQUEST_EMAIL, {"password": DEMO_PASSWORD, "email": email}))
        assert refused["userErrors"] == [{"code": code, "field": ["input", "newEmail"]}], email
    asked = payload(
        await manager.data(REQUEST_EMAIL, {"password": DEMO_PASSWORD, "email": " Omar@Northwind.EXAMPLE "})
    )
    assert asked == {"sentTo": "Omar@northwind.example", "retryAfterSeconds": None, "userErrors": []}
    assert (await manager.data(ME))["viewer"]["user"]["email"] == MANAGER  # nothing changed yet
    [mail] = [m for m in sandbox.crm.emails(5) if m["to"] == "Omar@northwind.example"]
    found = re.search(r"/confirm-email\?token=(\S+)", mail["body"])
    assert found
    token = unquote(found.group(1))

    bad = payload(await portal.another().data(CONFIRM_EMAIL, {"token": "x" * 43}))
    assert bad["userErrors"] == [{"code": "INVALID_TOKEN", "field": ["input", "token"]}]
    done = payload(await portal.another().data(CONFIRM_EMAIL, {"token": token}))  # another device, no session
    assert done == {"email": "Omar@northwind.example", "userErrors": []}
    # The open session follows at once (its token is refused until refreshed, which brings the new
    # address); the new address signs in, the old one no longer does.
    assert (await manager.data(ME))["viewer"] is None
    refresh = """
    mutation($token: String!) { refreshSession(input: {refreshToken: $token}) { accessToken viewer { user { email } } userErrors { code } } }
    """
    renewed = (await manager.data(refresh, {"token": signed["refreshToken"]}))["refreshSession"]
    assert renewed["viewer"] == {"user": {"email": "Omar@northwind.example"}} and renewed["userErrors"] == []
    manager.token = renewed["accessToken"]
    assert await portal.another().sign_in("omar@northwind.example")
    login = "mutation($e: String!, $p: String!) { login(input: {email: $e, password: $p}) { userErrors { code } } }"
    old = await portal.another().execute(login, {"e": MANAGER, "p": DEMO_PASSWORD})
    assert old["data"]["login"]["userErrors"] == [{"code": "INVALID_CREDENTIALS"}]
    log = (await manager.data(LOG))["viewer"]["accessLog"]["nodes"]
    assert {e["action"] for e in log} >= {"LOGIN_EMAIL_CHANGE_REQUESTED", "LOGIN_EMAIL_CHANGED"}
