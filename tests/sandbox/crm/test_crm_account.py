"""A user's own security in the CRM: argon2id passwords and their policy, changing a password, reset links,
the TOTP second factor with recovery codes, sign-in alerts, and the team (invite, role, disable, remove)."""

from __future__ import annotations

import base64
import hashlib
import re
from urllib.parse import parse_qs, urlsplit

import httpx
import pyotp
import pytest

from sandbox.crm.service.passwords import PolicyError, check_policy, hash_password, needs_rehash
from sandbox.crm.system import CrmSystem
from sandbox.world import DEMO_PASSWORD

NEW = "a-much-better-passphrase"
LINK = "http://portal.test/reset-password"


def last_link(crm: CrmSystem) -> str:
    body = crm.emails(1)[0]["body"]
    found = re.search(r"http://portal\.test/reset-password\?token=\S+", body)
    assert found, body
    return parse_qs(urlsplit(found.group(0)).query)["token"][0]


async def verify(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await client.post("/v1/auth/verify", json={"email": email, "password": password})


# -- passwords -------------------------------------------------------------------------------------------
def test_new_hashes_are_argon2id_and_old_scrypt_ones_are_migrated() -> None:
    assert hash_password("x" * 12).startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert needs_rehash("scrypt$16384$8$1$AAAA$AAAA") and not needs_rehash(hash_password("y" * 12))


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("short", "PASSWORD_TOO_SHORT"),
        ("ana@lima.example", "PASSWORD_IS_EMAIL"),
        ("ANA@Lima.example", "PASSWORD_IS_EMAIL"),
        ("password123", "PASSWORD_TOO_COMMON"),
        ("aaaaaaaaaaaa", "PASSWORD_TOO_COMMON"),
        ("x" * 1025, "PASSWORD_TOO_LONG"),
    ],
)
def test_the_policy_refuses_weak_passwords(password: str, code: str) -> None:
    with pytest.raises(PolicyError) as refused:
        check_policy(password, "ana@lima.example")
    assert refused.value.code == code
    check_policy("correct horse battery", "ana@lima.example")


async def test_a_seeded_scrypt_hash_becomes_argon2id_at_sign_in(
    client: httpx.AsyncClient, crm: CrmSystem
) -> None:
    salt = bytes(16)
    key = hashlib.scrypt(DEMO_PASSWORD.encode(), salt=salt, n=2**14, r=8, p=1, dklen=32)
    old = f"scrypt$16384$8$1${base64.b64encode(salt).decode()}${base64.b64encode(key).decode()}"
    crm.db.execute("UPDATE users SET password_hash = ? WHERE id = 'USR-1'", (old,))
    assert (await verify(client, "ana@lima.example", DEMO_PASSWORD)).status_code == 200
    stored = crm.db.scalar("SELECT password_hash FROM users WHERE id = 'USR-1'")
    assert stored.startswith("$argon2id$")
    assert (await verify(client, "ana@lima.example", DEMO_PASSWORD)).status_code == 200


async def test_change_password_needs_the_current_one_and_the_policy(client: httpx.AsyncClient) -> None:
    async def change(current: str, new: str) -> httpx.Response:
        return await client.post(
            "/v1/users/USR-1/password", json={"current_password": current, "new_password": new}
        )

    assert (await change("wrong-password", NEW)).json()["error"]["code"] == "INVALID_CREDENTIALS"
    assert (await change(DEMO_PASSWORD, "short")).json()["error"]["code"] == "PASSWORD_TOO_SHORT"
    assert (await change(DEMO_PASSWORD, DEMO_PASSWORD)).json()["error"]["code"] == "PASSWORD_UNCHANGED"
    assert (await change(DEMO_PASSWORD, NEW)).status_code == 200
    assert (await verify(client, "ana@lima.example", DEMO_PASSWORD)).status_code == 422
    assert (await verify(client, "ana@lima.example", NEW)).status_code == 200


async def test_a_reset_link_works_once(client: httpx.AsyncClient, crm: CrmSystem) -> None:
    before = len(crm.emails(1000))
    unknown = await client.post(
        "/v1/auth/password-reset", json={"email": "who@nowhere.example", "link": LINK}
    )
    known = await client.post("/v1/auth/password-reset", json={"email": "ANA@lima.example", "link": LINK})
    assert (
        (unknown.status_code, unknown.json())
        == (known.status_code, known.json())
        == (202, {"accepted": True})
    )
    assert len(crm.emails(1000)) == before + 1 and crm.emails(1)[0]["to"] == "ana@lima.example"
    token = last_link(crm)
    assert crm.db.one("SELECT 1 FROM password_tokens WHERE token_hash = ?", (token,)) is None  # hashed

    async def complete(token: str, password: str) -> httpx.Response:
        return await client.post(
            "/v1/auth/password-reset/complete", json={"token": token, "new_password": password}
        )

    assert (await complete(token, "password123")).json()["error"]["code"] == "PASSWORD_TOO_COMMON"
    done = await complete(token, NEW)
    assert done.status_code == 200 and done.json()["id"] == "USR-1"
    assert (await complete(token, NEW + "!")).json()["error"]["code"] == "INVALID_TOKEN"
    assert (await complete("made-up", NEW)).json()["error"]["code"] == "INVALID_TOKEN"
    assert (await verify(client, "ana@lima.example", NEW)).status_code == 200
    assert crm.emails(1)[0]["subject"] == "Your WISPGate Networks portal password was changed"


async def test_an_expired_link_is_refused(client: httpx.AsyncClient, crm: CrmSystem) -> None:
    await client.post("/v1/auth/password-reset", json={"email": "ana@lima.example", "link": LINK})
    token = last_link(crm)
    crm.db.execute("UPDATE password_tokens SET expires_at = '2000-01-01T00:00:00Z'")
    answer = await client.post("/v1/auth/password-reset/complete", json={"token": token, "new_password": NEW})
    assert answer.json()["error"]["code"] == "INVALID_TOKEN"


# -- second factor ---------------------------------------------------------------------------------------
async def test_totp_enrolment_verification_and_recovery_codes(
    client: httpx.AsyncClient, crm: CrmSystem
) -> None:
    begun = (await client.post("/v1/users/USR-1/totp")).json()
    assert begun["uri"].startswith("otpauth://totp/WISPGate:ana%40lima.example?secret=")
    totp = pyotp.TOTP(begun["secret"])
    wrong = await client.post(
        "/v1/users/USR-1/totp/confirm", json={"code": "000000" if totp.now() != "000000" else "111111"}
    )
    assert wrong.json()["error"]["code"] == "INVALID_CODE"
    confirmed = (await client.post("/v1/users/USR-1/totp/confirm", json={"code": totp.now()})).json()
    codes = confirmed["recovery_codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert (await client.get("/v1/users/USR-1")).json()["two_factor_enabled"] is True
    again = await client.post("/v1/users/USR-1/totp")
    assert again.status_code == 409 and again.json()["error"]["code"] == "ALREADY_ENABLED"
    # The code used to confirm cannot be used again (replay).
    replay = await client.post("/v1/users/USR-1/totp/verify", json={"code": totp.now()})
    assert replay.json()["error"]["code"] == "INVALID_CODE"
    used = await client.post("/v1/users/USR-1/totp/verify", json={"recovery_code": codes[0].upper()})
    assert used.json() == {"method": "RECOVERY_CODE", "recovery_codes_left": 9}
    reused = await client.post("/v1/users/USR-1/totp/verify", json={"recovery_code": codes[0]})
    assert reused.json()["error"]["code"] == "INVALID_CODE"
    refused = await client.post("/v1/users/USR-1/totp/disable", json={"password": "not-the-password"})
    assert refused.json()["error"]["code"] == "INVALID_CREDENTIALS"
    off = await client.post("/v1/users/USR-1/totp/disable", json={"password": DEMO_PASSWORD})
    assert off.status_code == 200 and off.json()["two_factor_enabled"] is False
    assert crm.db.scalar("SELECT COUNT(*) FROM recovery_codes WHERE user_id = 'USR-1'") == 0


# -- sign-in alerts --------------------------------------------------------------------------------------
async def test_a_new_device_gets_an_alert_but_the_first_does_not(
    client: httpx.AsyncClient, crm: CrmSystem
) -> None:
    async def seen(key: str) -> dict[str, bool]:
        body = {"device_key": key, "label": "Chrome on Windows 10", "ip": "203.0.113.7"}
        answer: dict[str, bool] = (await client.post("/v1/users/USR-1/devices", json=body)).json()
        return answer

    before = len(crm.emails(1000))
    assert await seen("Chrome|203.0.113.7") == {"new": True, "alerted": False}
    assert await seen("Chrome|203.0.113.7") == {"new": False, "alerted": False}
    assert await seen("Firefox|198.51.100.1") == {"new": True, "alerted": True}
    assert len(crm.emails(1000)) == before + 1
    assert "Chrome on Windows 10" in crm.emails(1)[0]["body"]


# -- team ------------------------------------------------------------------------------------------------
async def test_invite_change_disable_and_remove(client: httpx.AsyncClient, crm: CrmSystem) -> None:
    invite = {
        "email": "new.person@northwind.example",
        "name": "New Person",
        "role": "SITE",
        "site_ids": ["SS-2001-1"],
        "invited_by": "USR-20",
        "link": LINK,
    }
    created = await client.post("/v1/subscribers/SUB-2001/invitations", json=invite)
    assert created.status_code == 201, created.text
    user = created.json()
    assert (user["role"], user["site_subservice_ids"], user["subscriber_id"]) == (
        "SITE",
        ["SS-2001-1"],
        "SUB-2001",
    )
    taken = await client.post("/v1/subscribers/SUB-2001/invitations", json=invite)
    assert taken.json()["error"]["code"] == "EMAIL_TAKEN"
    foreign = await client.post(
        "/v1/subscribers/SUB-2001/invitations",
        json={**invite, "email": "x@y.example", "site_ids": ["SS-3001-101"]},
    )
    assert foreign.json()["error"]["code"] == "SUBSERVICE_MISMATCH"
    # The invitee sets a password through the e-mailed link, then signs in.
    token = last_link(crm)
    set_first = await client.post(
        "/v1/auth/password-reset/complete", json={"token": token, "new_password": NEW}
    )
    assert set_first.status_code == 200
    assert (await verify(client, "new.person@northwind.example", NEW)).status_code == 200
    user_id = user["id"]
    role = await client.post(f"/v1/users/{user_id}/role", json={"role": "VIEWER"})
    assert role.json()["role"] == "VIEWER" and role.json()["site_subservice_ids"] == []
    disabled = await client.post(f"/v1/users/{user_id}/disabled", json={"disabled": True})
    assert disabled.json()["disabled"] is True
    assert (await verify(client, "new.person@northwind.example", NEW)).json()["error"][
        "code"
    ] == "USER_DISABLED"
    removed = await client.post(f"/v1/users/{user_id}/remove")
    assert removed.status_code == 200
    listed = (await client.get("/v1/subscribers/SUB-2001/users")).json()["items"]
    assert user_id not in {u["id"] for u in listed}
    assert (await client.post(f"/v1/users/{user_id}/remove")).status_code == 404
    # The address is free for a new invitation.
    again = await client.post("/v1/subscribers/SUB-2001/invitations", json=invite)
    assert again.status_code == 201 and again.json()["id"] != user_id
    events = [e["type"] for e in crm.outbox.list()]
    assert events.count("portal_user.updated") >= 4
