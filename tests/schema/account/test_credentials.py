"""The viewer's password and second factor over the real BFF and sandbox, in-process: changePassword,
requestPasswordReset / resetPassword through the e-mailed link, TOTP enrolment, signing in with a code or a
recovery code, disableTotp — each mutation's rules and coded refusals."""

from __future__ import annotations

import re
import time
from urllib.parse import parse_qs, urlsplit

import pyotp

from sandbox.app import Sandbox
from sandbox.world import DEMO_PASSWORD
from tests.harness.portal import VIEWER, Portal
from tests.harness.transport import DispatchTransport

NEW = "a-much-better-passphrase"
CHANGE = """
mutation($current: String!, $new: String!) {
  changePassword(input: {currentPassword: $current, newPassword: $new}) {
    ok endedSessionCount retryAfterSeconds userErrors { code field message }
  }
}
"""
REQUEST = """
mutation($email: String!) {
  requestPasswordReset(input: {email: $email}) { ok retryAfterSeconds userErrors { code message } }
}
"""
RESET = """
mutation($token: String!, $new: String!) {
  resetPassword(input: {token: $token, newPassword: $new}) { ok userErrors { code field message } }
}
"""
BEGIN = "mutation { beginTotpEnrolment { enrolment { secret otpauthUri qrCodeSvg } userErrors { code } } }"
CONFIRM = """
mutation($code: String!) {
  confirmTotpEnrolment(input: {code: $code}) { recoveryCodes userErrors { code field message } }
}
"""
DISABLE = """
mutation($password: String, $code: String) {
  disableTotp(input: {password: $password, code: $code}) { ok userErrors { code message } }
}
"""
LOGIN = """
mutation($email: String!, $password: String!) {
  login(input: {email: $email, password: $password, tokenDelivery: BODY}) {
    viewer { role } accessToken secondFactor { challenge expiresAt } userErrors { code }
  }
}
"""
VERIFY = """
mutation($challenge: String!, $code: String, $recovery: String) {
  verifySecondFactor(input: {challenge: $challenge, code: $code, recoveryCode: $recovery, tokenDelivery: BODY}) {
    viewer { user { email } role } accessToken retryAfterSeconds userErrors { code message }
  }
}
"""
LOG = "query { viewer { accessLog(first: 10) { nodes { action } } } }"


def reset_token(sandbox: Sandbox, to: str) -> str:
    [mail] = [m for m in sandbox.crm.emails(20) if m["to"] == to][:1]
    found = re.search(r"\S+/reset-password\?token=\S+", mail["body"])
    assert found, mail["body"]
    assert found.group(0).startswith("http://127.0.0.1:8000/")  # the portal's own page (development URL)
    return parse_qs(urlsplit(found.group(0)).query)["token"][0]


async def actions(portal: Portal) -> list[str]:
    return [e["action"] for e in (await portal.data(LOG))["viewer"]["accessLog"]["nodes"]]


# -- changePassword --------------------------------------------------------------------------------------
async def test_change_password_needs_the_current_one_and_ends_other_sessions(portal: Portal) -> None:
    laptop = await portal.another().sign_in("ana@lima.example")
    phone = await portal.another().sign_in("ana@lima.example")
    wrong = (await laptop.data(CHANGE, {"current": "not-it", "new": NEW}))["changePassword"]
    assert wrong["userErrors"] == [
        {
            "code": "INVALID_CREDENTIALS",
            "field": ["input", "currentPassword"],
            "message": "The current password is not correct.",
        }
    ]
    weak = (await laptop.data(CHANGE, {"current": DEMO_PASSWORD, "new": "password123"}))["changePassword"]
    assert [(e["code"], e["field"]) for e in weak["userErrors"]] == [
        ("PASSWORD_TOO_COMMON", ["input", "newPassword"])
    ]
    for new, code in (("short", "PASSWORD_TOO_SHORT"), ("ana@lima.example", "PASSWORD_IS_EMAIL")):
        refused = (await laptop.data(CHANGE, {"current": DEMO_PASSWORD, "new": new}))["changePassword"]
        assert refused["userErrors"][0]["code"] == code
    done = (await laptop.data(CHANGE, {"current": DEMO_PASSWORD, "new": NEW}))["changePassword"]
    assert (done["ok"], done["endedSessionCount"], done["userErrors"]) == (True, 1, [])
    assert (await phone.execute(VIEWER))["data"] == {"viewer": None}
    assert (await laptop.data(VIEWER))["viewer"]["role"] == "OWNER"
    assert (await portal.login("ana@lima.example"))["userErrors"][0]["code"] == "INVALID_CREDENTIALS"
    assert (await portal.another().login("ana@lima.example", NEW))["userErrors"] == []
    assert "PASSWORD_CHANGED" in await actions(laptop)


async def test_change_password_needs_a_session(portal: Portal) -> None:
    answer = await portal.execute(CHANGE, {"current": DEMO_PASSWORD, "new": NEW})
    assert answer["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


# -- password reset --------------------------------------------------------------------------------------
async def test_reset_by_email_link_works_once_and_ends_every_session(
    portal: Portal, sandbox: Sandbox
) -> None:
    signed_in = await portal.another().sign_in("ana@lima.example")
    before = len(sandbox.crm.emails(1000))
    unknown = await portal.data(REQUEST, {"email": "nobody@nowhere.example"})
    known = await portal.data(REQUEST, {"email": "Ana@Lima.example"})
    assert (
        unknown
        == known
        == {"requestPasswordReset": {"ok": True, "retryAfterSeconds": None, "userErrors": []}}
    )
    assert len(sandbox.crm.emails(1000)) == before + 1
    token = reset_token(sandbox, "ana@lima.example")
    weak = (await portal.data(RESET, {"token": token, "new": "1234567890"}))["resetPassword"]
    assert weak["userErrors"][0]["code"] == "PASSWORD_TOO_COMMON"
    done = (await portal.data(RESET, {"token": token, "new": NEW}))["resetPassword"]
    assert done == {"ok": True, "userErrors": []}
    assert (await signed_in.execute(VIEWER))["data"] == {"viewer": None}
    again = (await portal.data(RESET, {"token": token, "new": NEW + "!"}))["resetPassword"]
    assert again["userErrors"] == [
        {
            "code": "INVALID_TOKEN",
            "field": ["input", "token"],
            "message": "This link has expired or was already used. Ask for a new one.",
        }
    ]
    fresh = await portal.another().sign_in("ana@lima.example", NEW)
    assert "PASSWORD_RESET" in await actions(fresh)


async def test_reset_requests_are_rate_limited_alike_for_known_and_unknown_addresses(portal: Portal) -> None:
    answers = []
    for email in ("ana@lima.example", "nobody@nowhere.example"):
        answers.append(
            [(await portal.data(REQUEST, {"email": email}))["requestPasswordReset"] for _ in range(4)]
        )
    for per_address in answers:
        assert [a["ok"] for a in per_address] == [True, True, True, False]
        assert per_address[3]["userErrors"][0]["code"] == "RATE_LIMITED"
        assert per_address[3]["retryAfterSeconds"] > 0


async def test_a_made_up_token_is_refused(portal: Portal) -> None:
    for token in ("made-up", "", "x" * 5000):
        answer = (await portal.data(RESET, {"token": token, "new": NEW}))["resetPassword"]
        assert answer["userErrors"][0]["code"] == "INVALID_TOKEN"


# -- the second factor -----------------------------------------------------------------------------------
async def enrol(client: Portal) -> tuple[pyotp.TOTP, list[str]]:
    begun = (await client.data(BEGIN))["beginTotpEnrolment"]
    enrolment = begun["enrolment"]
    assert enrolment["qrCodeSvg"].startswith("data:image/svg+xml")
    assert enrolment["otpauthUri"].startswith("otpauth://totp/WISPGate:")
    totp = pyotp.TOTP(enrolment["secret"])
    wrong = (await client.data(CONFIRM, {"code": "abc"}))["confirmTotpEnrolment"]
    assert wrong["userErrors"][0]["code"] == "INVALID_CODE" and wrong["recoveryCodes"] is None
    confirmed = (await client.data(CONFIRM, {"code": totp.now()}))["confirmTotpEnrolment"]
    assert confirmed["userErrors"] == [] and len(confirmed["recoveryCodes"]) == 10
    return totp, confirmed["recoveryCodes"]


def next_code(totp: pyotp.TOTP) -> str:
    """A code of the next time step: the current one was used to confirm, and a code is accepted once."""
    return totp.at(time.time() + totp.interval)


async def test_enrol_then_sign_in_with_a_code_or_a_recovery_code(portal: Portal) -> None:
    ana = await portal.another().sign_in("ana@lima.example")
    totp, recovery = await enrol(ana)
    again = (await ana.data(BEGIN))["beginTotpEnrolment"]
    assert again["userErrors"] == [{"code": "ALREADY_ENABLED"}]
    answer = (await portal.execute(LOGIN, {"email": "ana@lima.example", "password": DEMO_PASSWORD}))["data"][
        "login"
    ]
    assert answer["viewer"] is None and answer["accessToken"] is None and answer["userErrors"] == []
    challenge = answer["secondFactor"]["challenge"]
    wrong = (await portal.data(VERIFY, {"challenge": challenge, "code": "000000"}))["verifySecondFactor"]
    assert wrong["userErrors"][0]["code"] == "INVALID_CODE" and wrong["accessToken"] is None
    ok = (await portal.data(VERIFY, {"challenge": challenge, "code": next_code(totp)}))["verifySecondFactor"]
    assert ok["userErrors"] == [] and ok["viewer"]["user"]["email"] == "ana@lima.example"
    reused = (await portal.data(VERIFY, {"challenge": challenge, "recovery": recovery[0]}))[
        "verifySecondFactor"
    ]
    assert reused["userErrors"][0]["code"] == "INVALID_CHALLENGE"
    # Refused before the CRM saw it: that recovery code is still good, and is used below.
    second = (await portal.execute(LOGIN, {"email": "ana@lima.example", "password": DEMO_PASSWORD}))["data"]
    with_recovery = await portal.data(
        VERIFY, {"challenge": second["login"]["secondFactor"]["challenge"], "recovery": recovery[0]}
    )
    assert with_recovery["verifySecondFactor"]["accessToken"]
    third = (await portal.execute(LOGIN, {"email": "ana@lima.example", "password": DEMO_PASSWORD}))["data"]
    spent = await portal.data(
        VERIFY, {"challenge": third["login"]["secondFactor"]["challenge"], "recovery": recovery[0]}
    )
    assert spent["verifySecondFactor"]["userErrors"][0]["code"] == "INVALID_CODE"
    assert {"TWO_FACTOR_ENABLED", "SIGNED_IN"} <= set(await actions(ana))


async def test_a_forged_or_foreign_challenge_is_refused(portal: Portal) -> None:
    ana = await portal.another().sign_in("ana@lima.example")
    for challenge in ("not-a-challenge", ana.token or ""):  # an access token is no challenge
        answer = (await portal.data(VERIFY, {"challenge": challenge, "code": "123456"}))["verifySecondFactor"]
        assert answer["userErrors"][0]["code"] == "INVALID_CHALLENGE"
    neither = (await portal.data(VERIFY, {"challenge": "x"}))["verifySecondFactor"]
    assert neither["userErrors"][0]["code"] == "INVALID_CODE"


async def test_wrong_codes_count_in_the_sign_in_guard(portal: Portal) -> None:
    ana = await portal.another().sign_in("ana@lima.example")
    await enrol(ana)  # one wrong code there already
    login = (await portal.execute(LOGIN, {"email": "ana@lima.example", "password": DEMO_PASSWORD}))["data"]
    challenge = login["login"]["secondFactor"]["challenge"]
    codes = []
    for _ in range(5):
        answer = (await portal.data(VERIFY, {"challenge": challenge, "code": "000001"}))["verifySecondFactor"]
        codes.append(answer["userErrors"][0]["code"])
    # Five failures are free; after that the account waits — for codes and passwords alike.
    assert codes == ["INVALID_CODE"] * 4 + ["RATE_LIMITED"]
    again = (await portal.execute(LOGIN, {"email": "ana@lima.example", "password": DEMO_PASSWORD}))["data"]
    assert again["login"]["userErrors"] == [{"code": "RATE_LIMITED"}]


async def test_disable_needs_the_password_or_a_code(portal: Portal) -> None:
    ana = await portal.another().sign_in("ana@lima.example")
    not_on = (await ana.data(DISABLE, {"password": DEMO_PASSWORD}))["disableTotp"]
    assert not_on["userErrors"][0]["code"] == "NOT_ENABLED"
    await enrol(ana)
    neither = (await ana.data(DISABLE, {}))["disableTotp"]
    assert neither["userErrors"][0]["code"] == "INVALID_CREDENTIALS"
    wrong = (await ana.data(DISABLE, {"password": "not-the-password"}))["disableTotp"]
    assert wrong["userErrors"][0]["code"] == "INVALID_CREDENTIALS"
    assert (await ana.data(DISABLE, {"password": DEMO_PASSWORD}))["disableTotp"] == {
        "ok": True,
        "userErrors": [],
    }
    plain = (await portal.execute(LOGIN, {"email": "ana@lima.example", "password": DEMO_PASSWORD}))["data"]
    assert plain["login"]["secondFactor"] is None and plain["login"]["accessToken"]
    assert "TWO_FACTOR_DISABLED" in await actions(ana)


async def test_a_new_device_gets_a_sign_in_alert(portal: Portal, sandbox: Sandbox) -> None:
    await portal.another().sign_in("ana@lima.example")  # the first device: no alert
    before = [m for m in sandbox.crm.emails(1000) if m["subject"].startswith("New sign-in")]
    phone = portal.another(("198.51.100.23", 40000))
    phone.client.headers["user-agent"] = (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.2 Mobile/15E148 Safari/604.1"
    )
    await phone.sign_in("ana@lima.example")
    await phone.another(("198.51.100.23", 40001)).sign_in("ana@lima.example")  # httpx UA from there: new
    await phone.sign_in("ana@lima.example")  # seen before
    after = [m for m in sandbox.crm.emails(1000) if m["subject"].startswith("New sign-in")]
    assert len(after) == len(before) + 2
    assert "Mobile Safari 17 on iOS 17.2" in after[1]["body"] and "198.51.100.23" in after[1]["body"]


async def test_a_crm_outage_is_told_alike_for_every_address(
    portal: Portal, transport: DispatchTransport
) -> None:
    transport.down.add("crm.test")
    answers = [
        await portal.execute(REQUEST, {"email": e}) for e in ("ana@lima.example", "nobody@nowhere.example")
    ]
    codes = [[e["extensions"]["code"] for e in a["errors"]] for a in answers]
    assert codes == [["BACKEND_UNAVAILABLE"], ["BACKEND_UNAVAILABLE"]]
    assert answers[0]["data"] == answers[1]["data"]


async def test_a_failed_code_shows_in_the_access_log_as_a_failed_sign_in(portal: Portal) -> None:
    ana = await portal.another().sign_in("ana@lima.example")
    await enrol(ana)
    login = (await portal.execute(LOGIN, {"email": "ana@lima.example", "password": DEMO_PASSWORD}))["data"]
    await portal.data(VERIFY, {"challenge": login["login"]["secondFactor"]["challenge"], "code": "000001"})
    assert (await actions(ana))[0] == "SIGN_IN_FAILED"
