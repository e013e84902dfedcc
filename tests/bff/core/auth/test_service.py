"""Logging in, the viewer, CSRF, refresh rotation and logout — over HTTP against the in-process sandbox."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bff.core.auth.cookies import ACCESS_COOKIE, CSRF_COOKIE, REFRESH_COOKIE
from bff.core.auth.tokens import TokenService
from bff.core.settings import Settings
from sandbox.app import Sandbox
from schema.core.node import encode_id
from tests.harness.core_events import deliver_core_events
from tests.harness.portal import VIEWER, Portal
from tests.harness.transport import DispatchTransport

REFRESH = """
mutation Refresh($token: String) {
  refreshSession(input: {refreshToken: $token}) {
    viewer { user { email } }
    accessToken refreshToken accessTokenExpiresAt
    userErrors { code message }
  }
}
"""
REFRESH_FROM_COOKIE = (
    "mutation { refreshSession { viewer { user { email } } accessToken userErrors { code } } }"
)
LOGOUT = "mutation { logout { ok } }"


def set_cookie_headers(response: Any) -> dict[str, str]:
    return {h.split("=", 1)[0]: h for h in response.headers.get_list("set-cookie")}


async def test_cookie_login_sets_http_only_cookies_and_a_readable_csrf_token(portal: Portal) -> None:
    response = await portal.post(
        'mutation { login(input: {email: "Ana@Lima.example", password: "wispgate-demo"}) '
        "{ viewer { user { email role } canManageBilling } accessToken refreshToken userErrors { code } } }"
    )
    assert response.status_code == 200
    result = response.json()["data"]["login"]
    assert result["userErrors"] == []
    assert result["viewer"] == {
        "user": {"email": "ana@lima.example", "role": "OWNER"},
        "canManageBilling": True,
    }
    # Cookie delivery: the tokens never appear in the body.
    assert result["accessToken"] is None and result["refreshToken"] is None

    cookies = set_cookie_headers(response)
    access, refresh, csrf = cookies[ACCESS_COOKIE], cookies[REFRESH_COOKIE], cookies[CSRF_COOKIE]
    assert "HttpOnly" in access and "Path=/;" in access + ";" and "SameSite=lax" in access
    assert "HttpOnly" in refresh and "Path=/graphql" in refresh
    assert "HttpOnly" not in csrf
    assert "Secure" not in access  # development default; production sets it (see test_settings)


async def test_viewer_with_cookie_and_csrf_header(portal: Portal) -> None:
    await portal.login("ana@lima.example")
    payload = await portal.execute(VIEWER)
    assert payload["data"]["viewer"] == {
        "user": {"id": encode_id("PortalUser", "USR-1"), "email": "ana@lima.example", "role": "OWNER"},
        "role": "OWNER",
        "canManageBilling": True,
    }


async def test_cookie_request_without_csrf_header_is_refused(portal: Portal) -> None:
    await portal.login("ana@lima.example")
    response = await portal.post(VIEWER, csrf=False)
    assert response.status_code == 403
    assert response.json() == {
        "errors": [
            {"message": "Missing or invalid X-CSRF-Token header.", "extensions": {"code": "CSRF_FAILED"}}
        ]
    }
    wrong = await portal.client.post(
        "/graphql", json={"query": VIEWER}, headers={"X-CSRF-Token": "not-the-cookie-value"}
    )
    assert wrong.status_code == 403


async def test_multipart_with_cookies_needs_csrf_too(portal: Portal) -> None:
    await portal.login("ana@lima.example")
    response = await portal.client.post(
        "/graphql",
        data={"operations": '{"query": "query { viewer { role } }", "variables": {}}', "map": "{}"},
        files={"unused": ("a.txt", b"x", "text/plain")},
    )
    assert response.status_code == 403
    assert response.json()["errors"][0]["extensions"]["code"] == "CSRF_FAILED"


async def test_login_with_stale_cookies_and_no_csrf_header_is_allowed(portal: Portal) -> None:
    await portal.login("ana@lima.example")
    old_csrf = portal.client.cookies[CSRF_COOKIE]
    portal.client.cookies.delete(CSRF_COOKIE)
    result = await portal.login("ben@okafor.example", csrf=False)
    assert result["userErrors"] == []
    assert portal.client.cookies[CSRF_COOKIE] != old_csrf  # a new session gets a new CSRF token
    assert (await portal.execute(VIEWER))["data"]["viewer"]["user"]["email"] == "ben@okafor.example"


async def test_bearer_login_and_viewer_need_no_csrf(portal: Portal, transport: DispatchTransport) -> None:
    result = await portal.login("finance@northwind.example", delivery="BODY")
    assert result["userErrors"] == []
    assert result["accessToken"] and result["refreshToken"] and result["accessTokenExpiresAt"].endswith("Z")
    assert ACCESS_COOKIE not in portal.client.cookies
    before = dict(transport.calls)
    payload = await portal.execute(VIEWER, bearer=result["accessToken"], csrf=False)
    assert payload["data"]["viewer"]["role"] == "FINANCE"
    # Resolving the viewer costs no backend call: the token and the session store are enough.
    assert {k: v - before[k] for k, v in transport.calls.items()} == {
        "billing.test": 0,
        "crm.test": 0,
        "aaa.test": 0,
        "oss.test": 0,
        "gateway.test": 0,
        "paypal.test": 0,
    }
    assert payload["data"]["viewer"]["canManageBilling"] is True


async def test_anonymous_viewer_is_null(portal: Portal) -> None:
    assert (await portal.execute(VIEWER))["data"] == {"viewer": None}


async def test_bad_password_and_unknown_email_give_the_same_user_error(portal: Portal) -> None:
    wrong = await portal.login("ana@lima.example", "not-the-password")
    unknown = await portal.login("nobody@nowhere.example", "wispgate-demo")
    for result in (wrong, unknown):
        assert result["viewer"] is None
        assert result["userErrors"] == [
            {
                "field": None,
                "message": "The e-mail or password is not correct.",
                "code": "INVALID_CREDENTIALS",
            }
        ]
    assert ACCESS_COOKIE not in portal.client.cookies


async def test_disabled_user_cannot_log_in_and_loses_access_at_once(portal: Portal, sandbox: Sandbox) -> None:
    result = await portal.login("ops@northwind.example", delivery="BODY")
    token = result["accessToken"]
    assert (await portal.execute(VIEWER, bearer=token))["data"]["viewer"]["role"] == "MANAGER"

    sandbox.crm.disable_user("USR-21")
    # The CRM tells the portal with a signed event; requests are authorized without asking the CRM.
    assert await deliver_core_events(sandbox.crm, portal) == 1
    assert (await portal.execute(VIEWER, bearer=token))["data"] == {"viewer": None}
    again = await portal.login("ops@northwind.example", delivery="BODY")
    assert again["userErrors"][0]["code"] == "USER_DISABLED"
    refreshed = await portal.execute(REFRESH, {"token": result["refreshToken"]})
    assert refreshed["data"]["refreshSession"]["userErrors"][0]["code"] == "USER_DISABLED"


async def test_failed_sign_ins_slow_the_account_down_from_every_address(portal: Portal) -> None:
    # Five failures from five addresses (as forged or rotating addresses would look): the account counts
    # them all, so spreading guesses over addresses buys nothing.
    for n in range(5):
        elsewhere = portal.another(client=(f"198.51.100.{n + 1}", 40000))
        result = await elsewhere.login("cara@jensen.example", "guess")
        assert result["userErrors"][0]["code"] == "INVALID_CREDENTIALS"
    blocked = await portal.login("cara@jensen.example")
    assert blocked["userErrors"][0]["code"] == "RATE_LIMITED"
    assert blocked["retryAfterSeconds"] == 1 and "1 second" in blocked["userErrors"][0]["message"]
    assert blocked["viewer"] is None
    # Another e-mail from the same address is unaffected.
    assert (await portal.login("ana@lima.example"))["userErrors"] == []
    # Not a lock-out: once the delay is over, the right password gets in (and the delays start over).
    await asyncio.sleep(1.1)
    assert (await portal.login("cara@jensen.example"))["userErrors"] == []


async def test_one_address_spraying_one_password_over_many_accounts_is_stopped(portal: Portal) -> None:
    for n in range(30):
        result = await portal.login(f"nobody{n}@spray.example", "Summer2026!")
        assert result["userErrors"][0]["code"] == "INVALID_CREDENTIALS"
    refused = await portal.login("ana@lima.example", "Summer2026!")
    assert refused["userErrors"][0]["code"] == "RATE_LIMITED"
    assert 0 < refused["retryAfterSeconds"] <= 900
    # Another address is not affected.
    assert (await portal.another(client=("198.51.100.9", 40000)).login("ana@lima.example"))[
        "userErrors"
    ] == []


async def test_failed_and_successful_logins_are_in_the_access_log(portal: Portal, sandbox: Sandbox) -> None:
    await portal.login("ana@lima.example", "wrong")
    await portal.login("ana@lima.example")
    crm = DispatchTransport({"crm.test": sandbox.crm.asgi()})
    from adapters.wispgate.client import BackendConfig, CoreClient, make_http_client
    from adapters.wispgate.crm import HttpCrm

    async with make_http_client(BackendConfig("http://crm.test", "sandbox-service-key"), crm) as http:
        entries = await HttpCrm(CoreClient("crm", http)).audit_of_user("USR-1")
    actions = [e.action for e in entries]
    assert "login" in actions
    login = next(e for e in entries if e.action == "login")
    assert login.ip == "203.0.113.7"


async def test_refresh_from_cookie_rotates_and_reuse_is_refused(portal: Portal) -> None:
    await portal.login("ana@lima.example")
    first_refresh = portal.client.cookies.get(REFRESH_COOKIE, path="/graphql")
    first_access = portal.client.cookies[ACCESS_COOKIE]
    csrf = portal.client.cookies[CSRF_COOKIE]
    payload = await portal.execute(REFRESH_FROM_COOKIE)
    assert portal.client.cookies[CSRF_COOKIE] == csrf  # other open tabs keep working
    result = payload["data"]["refreshSession"]
    assert result["userErrors"] == [] and result["viewer"]["user"]["email"] == "ana@lima.example"
    assert result["accessToken"] is None  # delivered as cookies, like the login
    second_refresh = portal.client.cookies.get(REFRESH_COOKIE, path="/graphql")
    assert second_refresh and second_refresh != first_refresh
    assert portal.client.cookies[ACCESS_COOKIE] != first_access

    # Replaying the first (rotated) token: refused, and the whole session is revoked.
    reused = await portal.execute(REFRESH, {"token": first_refresh})
    assert reused["data"]["refreshSession"]["userErrors"][0]["code"] == "INVALID_REFRESH_TOKEN"
    assert (await portal.execute(VIEWER))["data"]["viewer"] is None
    after = await portal.execute(REFRESH_FROM_COOKIE)
    assert after["data"]["refreshSession"]["userErrors"][0]["code"] == "INVALID_REFRESH_TOKEN"


async def test_refresh_with_body_token_returns_new_tokens(portal: Portal) -> None:
    login = await portal.login("ben@okafor.example", delivery="BODY")
    payload = await portal.execute(REFRESH, {"token": login["refreshToken"]})
    result = payload["data"]["refreshSession"]
    assert result["userErrors"] == []
    assert result["refreshToken"] not in (None, login["refreshToken"])
    assert (await portal.execute(VIEWER, bearer=result["accessToken"]))["data"]["viewer"]["user"][
        "email"
    ] == ("ben@okafor.example")
    missing = await portal.execute("mutation { refreshSession { userErrors { code } } }")
    assert missing["data"]["refreshSession"]["userErrors"][0]["code"] == "INVALID_REFRESH_TOKEN"


async def test_logout_revokes_the_session_and_the_old_access_token(portal: Portal) -> None:
    login = await portal.login("ana@lima.example", delivery="BODY")
    token = login["accessToken"]
    assert (await portal.execute(VIEWER, bearer=token))["data"]["viewer"] is not None
    assert (await portal.execute(LOGOUT, bearer=token))["data"] == {"logout": {"ok": True}}
    assert (await portal.execute(VIEWER, bearer=token))["data"]["viewer"] is None
    refreshed = await portal.execute(REFRESH, {"token": login["refreshToken"]})
    assert refreshed["data"]["refreshSession"]["userErrors"][0]["code"] == "INVALID_REFRESH_TOKEN"


async def test_cookie_logout_clears_cookies(portal: Portal) -> None:
    await portal.login("ana@lima.example")
    old_access = portal.client.cookies[ACCESS_COOKIE]
    response = await portal.post(LOGOUT)
    assert response.json()["data"]["logout"]["ok"] is True
    assert ACCESS_COOKIE not in portal.client.cookies
    # The old token, replayed as a bearer, no longer works.
    assert (await portal.execute(VIEWER, bearer=old_access))["data"]["viewer"] is None


async def test_expired_token_is_reported_as_such_on_protected_fields(
    portal: Portal, settings: Settings
) -> None:
    login = await portal.login("ana@lima.example", delivery="BODY")
    service = TokenService(
        settings.jwt_secret,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        ttl=settings.access_ttl,
    )
    claims = service.decode(login["accessToken"])
    expired = service.issue(claims.viewer, now=datetime.now(UTC) - timedelta(hours=1))
    node = encode_id("PortalUser", "USR-1")
    payload = await portal.execute(
        f'query {{ viewer {{ role }} node(id: "{node}") {{ id }} }}', bearer=expired.token
    )
    assert payload["data"] == {"viewer": None, "node": None}
    assert payload["errors"][0]["extensions"] == {"code": "UNAUTHENTICATED", "reason": "TOKEN_EXPIRED"}


async def test_crm_down_during_login_is_backend_unavailable(
    portal: Portal, transport: DispatchTransport
) -> None:
    transport.down.add("crm.test")
    payload = await portal.execute(
        'mutation { login(input: {email: "ana@lima.example", password: "wispgate-demo"}) { userErrors { code } } }'
    )
    assert payload["data"] is None
    assert payload["errors"][0]["extensions"] == {"code": "BACKEND_UNAVAILABLE", "backend": "crm"}


async def test_the_crm_down_signs_nobody_out(portal: Portal, transport: DispatchTransport) -> None:
    login = await portal.login("ops@northwind.example", delivery="BODY")
    transport.down.add("crm.test")
    reached = transport.calls["crm.test"]
    payload = await portal.execute(VIEWER, bearer=login["accessToken"])
    assert payload["data"]["viewer"]["role"] == "MANAGER"
    # Refreshing goes on with the identity the session holds while the CRM cannot answer.
    refreshed = (await portal.execute(REFRESH, {"token": login["refreshToken"]}))["data"]["refreshSession"]
    assert refreshed["userErrors"] == []
    again = await portal.execute(VIEWER, bearer=refreshed["accessToken"])
    assert again["data"]["viewer"]["user"]["email"] == "ops@northwind.example"
    assert transport.calls["crm.test"] == reached  # nothing reached the CRM since it went down


async def test_a_role_change_in_the_crm_reaches_the_sessions_at_once(
    portal: Portal, sandbox: Sandbox
) -> None:
    login = await portal.login("ops@northwind.example", delivery="BODY")
    token = login["accessToken"]
    sandbox.crm.set_role("USR-21", "SITE", ["SS-2001-1"])
    assert await deliver_core_events(sandbox.crm, portal) == 1
    # The old token names the old role: refused until refreshed, and said so.
    stale = await portal.execute("query { viewer { subscriber { name } } }", bearer=token)
    assert stale["data"] == {"viewer": None}
    unauthenticated = await portal.execute('{ node(id: "x") { id } }', bearer=token)
    assert unauthenticated["errors"][0]["extensions"]["reason"] == "TOKEN_EXPIRED"
    refreshed = (await portal.execute(REFRESH, {"token": login["refreshToken"]}))["data"]["refreshSession"]
    now = await portal.execute(VIEWER, bearer=refreshed["accessToken"])
    assert now["data"]["viewer"]["role"] == "SITE"
    # Delivered again (the core retries), it changes nothing: the refreshed token stays good.
    sandbox.crm.db.execute("UPDATE event_outbox SET status = 'HELD'")
    assert await deliver_core_events(sandbox.crm, portal) == 1
    assert (await portal.execute(VIEWER, bearer=refreshed["accessToken"]))["data"]["viewer"]["role"] == "SITE"


async def test_a_forged_user_event_is_refused(portal: Portal, sandbox: Sandbox) -> None:
    login = await portal.login("ops@northwind.example", delivery="BODY")
    sandbox.crm.set_role("USR-21", "VIEWER")
    # Signed with another key: not the CRM's word.
    assert await deliver_core_events(sandbox.crm, portal, secret="x" * 40) == 0
    assert (await portal.execute(VIEWER, bearer=login["accessToken"]))["data"]["viewer"]["role"] == "MANAGER"


async def test_login_payload_resolves_the_new_viewers_subscriber(portal: Portal) -> None:
    # The request arrives anonymous; the payload's nested fields must see the freshly signed-in user.
    response = await portal.post(
        'mutation { login(input: {email: "ana@lima.example", password: "wispgate-demo"}) '
        "{ viewer { subscriber { name kind } } userErrors { code } } }"
    )
    body = response.json()
    assert "errors" not in body
    assert body["data"]["login"]["viewer"]["subscriber"] == {"name": "Ana Lima", "kind": "RESIDENTIAL"}


async def test_no_inline_password_or_query_text_reaches_the_log(
    portal: Portal, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secret = "hunter2-inline-secret"
    # A validation error pointing at the line that carries the password (strawberry's default logger
    # prints that excerpt), and a business error from a well-formed one.
    broken = await portal.post(
        f'mutation {{ login(input: {{email: "ana@lima.example", password: "{secret}", nope: 1}}) {{ userErrors {{ code }} }} }}'
    )
    assert broken.json()["errors"]
    wrong = await portal.post(
        f'mutation {{ login(input: {{email: "ana@lima.example", password: "{secret}"}}) {{ userErrors {{ code }} }} }}'
    )
    assert wrong.json()["data"]["login"]["userErrors"] == [{"code": "INVALID_CREDENTIALS"}]
    assert caplog.records, "the refusal should still be logged"
    assert secret not in caplog.text


async def test_a_cross_site_form_cannot_sign_the_browser_in(portal: Portal) -> None:
    """Login CSRF: a form on another site posts multipart (no CORS preflight) with the attacker's
    credentials, so that the victim's browser ends up signed in as the attacker."""
    login = 'mutation { login(input: {email: "ana@lima.example", password: "wispgate-demo"}) { userErrors { code } } }'
    operations = json.dumps({"query": login, "variables": {}})
    response = await portal.client.post(
        "/graphql", files={"operations": (None, operations), "map": (None, "{}")}
    )
    assert response.status_code == 403
    assert response.json()["errors"][0]["extensions"]["code"] == "CSRF_FAILED"
    assert ACCESS_COOKIE not in portal.client.cookies and "set-cookie" not in response.headers
    # The web's own JSON login still needs no header (a cross-site page cannot send JSON without a
    # preflight the portal refuses).
    assert (await portal.login("ana@lima.example", csrf=False))["userErrors"] == []
