"""Contact details and notification preferences in the CRM: validation and normalization, the audit entry
and the e-mail to the old contact address, and preferences applied where notifications are posted and
listed (every sender held to them)."""

from __future__ import annotations

import re
from urllib.parse import unquote

import httpx
import pytest

from adapters.contact import ContactInvalid, normalize_address, normalize_email, normalize_phone
from sandbox.crm.system import CrmSystem
from sandbox.world import DEMO_PASSWORD

ADDRESS = {
    "lines": ["12 Orchard Lane", " Flat  2 "],
    "city": "Springfield",
    "postal_code": "sp1 2ab",
    "country": "us",
}


# -- the shared rules ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("+1 (555) 010-1234", "+15550101234"),
        ("00351 912 345 678", "+351912345678"),
        ("+44.20.7946.0958", "+442079460958"),
    ],
)
def test_phones_are_stored_in_e164(raw: str, stored: str) -> None:
    assert normalize_phone(raw) == stored


@pytest.mark.parametrize(
    "raw", ["0912 345 678", "+1 555", "+0 555 0101 11", "+1 555 abc 0101", "+" + "1" * 16, "1" * 41]
)
def test_phones_that_are_not_e164_are_refused(raw: str) -> None:
    with pytest.raises(ContactInvalid) as refused:
        normalize_phone(raw)
    assert refused.value.code == "INVALID_PHONE"


def test_emails_are_checked_and_bounded() -> None:
    assert normalize_email("  Ana.Lima+home@Lima.EXAMPLE ") == "Ana.Lima+home@lima.example"
    for bad in (
        "ana",
        "ana@",
        "@lima.example",
        "ana@lima",
        "ana lima@lima.example",
        "ana@lima..example",
        "ana@-x.example",
    ):
        with pytest.raises(ContactInvalid) as refused:
            normalize_email(bad)
        assert refused.value.code == "INVALID_EMAIL", bad
    with pytest.raises(ContactInvalid) as refused:
        normalize_email("a" * 250 + "@x.example")
    assert refused.value.code == "EMAIL_TOO_LONG"


def test_addresses_are_bounded_and_name_an_iso_country() -> None:
    address = normalize_address([" 12  Orchard Lane ", ""], " Springfield", "sp1 2ab", "us")
    assert (
        address.lines == ("12 Orchard Lane",) and address.country == "US" and address.postal_code == "SP1 2AB"
    )
    cases = [
        ((["x"], "City", "1", "UK"), "INVALID_COUNTRY"),
        ((["x"], "City", "1", "ZZZ"), "INVALID_COUNTRY"),
        (([], "City", "1", "US"), "REQUIRED"),
        ((["x"], " ", "1", "US"), "REQUIRED"),
        ((["x" * 101], "City", "1", "US"), "TOO_LONG"),
        ((["a", "b", "c", "d"], "City", "1", "US"), "TOO_LONG"),
        ((["x"], "City", "1" * 17, "US"), "TOO_LONG"),
    ]
    for args, code in cases:
        with pytest.raises(ContactInvalid) as refused:
            normalize_address(*args)
        assert refused.value.code == code, args


# -- contact details over HTTP ---------------------------------------------------------------------------------
async def test_contact_details_change_is_normalized_audited_and_announced_to_the_old_address(
    client: httpx.AsyncClient, crm: CrmSystem
) -> None:
    changed = await client.post(
        "/v1/subscribers/SUB-1001/contact",
        json={
            "changed_by": "USR-1",
            "email": "ana.home@Lima.example",
            "phone": "+1 555 010 9999",
            "billing_address": ADDRESS,
            "ip": "203.0.113.7",
        },
    )
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert (body["email"], body["phone"]) == ("ana.home@lima.example", "+15550109999")
    assert body["billing_address"] == {
        "lines": ["12 Orchard Lane", "Flat 2"],
        "city": "Springfield",
        "region": None,
        "postal_code": "SP1 2AB",
        "country": "US",
    }
    assert body["address"] == "12 Orchard Lane, Flat 2, SP1 2AB Springfield, US"
    [entry] = crm.service.audit.of_subscriber("SUB-1001", 1)
    assert (entry["action"], entry["user_id"], entry["detail"]) == (
        "contact_details_changed",
        "USR-1",
        "email,phone,billing_address",
    )
    [mail] = crm.emails(1)
    assert mail["to"] == "ana@lima.example" and "ana.home@lima.example" in mail["body"]
    # The next notice goes to the new address.
    await client.post(
        "/v1/notifications",
        json={
            "subscriber_id": "SUB-1001",
            "kind": "INVOICE_ISSUED",
            "title": "Invoice",
            "body": "Due",
            "email": True,
        },
    )
    assert crm.emails(1)[0]["to"] == "ana.home@lima.example"


async def test_a_bad_contact_detail_changes_nothing(client: httpx.AsyncClient, crm: CrmSystem) -> None:
    before = (await client.get("/v1/subscribers/SUB-1001")).json()
    mails = len(crm.emails(1000))
    for body, code in [
        ({"email": "new@lima.example", "phone": "0912 345 678"}, "INVALID_PHONE"),
        ({"email": "not-an-address"}, "INVALID_EMAIL"),
        ({"email": "new@lima.example", "billing_address": {**ADDRESS, "country": "XX"}}, "INVALID_COUNTRY"),
    ]:
        refused = await client.post("/v1/subscribers/SUB-1001/contact", json={"changed_by": "USR-1", **body})
        assert refused.status_code == 422 and refused.json()["error"]["code"] == code
    stranger = await client.post(
        "/v1/subscribers/SUB-1001/contact", json={"changed_by": "USR-2", "phone": "+15550100000"}
    )
    assert stranger.json()["error"]["code"] == "USER_MISMATCH"
    too_long = await client.post(
        "/v1/subscribers/SUB-1001/contact", json={"changed_by": "USR-1", "phone": "1" * 41}
    )
    assert too_long.status_code == 422
    assert (await client.get("/v1/subscribers/SUB-1001")).json() == before
    assert len(crm.emails(1000)) == mails


async def test_a_user_sets_and_removes_their_own_phone(client: httpx.AsyncClient, crm: CrmSystem) -> None:
    assert (await client.get("/v1/users/USR-21/profile")).json()["phone"] is None
    set_ = await client.post("/v1/users/USR-21/phone", json={"phone": "+351 912 345 678"})
    assert set_.json()["phone"] == "+351912345678"
    assert crm.service.audit.of_user("USR-21", 1)[0]["action"] == "phone_changed"
    bad = await client.post("/v1/users/USR-21/phone", json={"phone": "912"})
    assert bad.json()["error"]["code"] == "INVALID_PHONE"
    cleared = await client.post("/v1/users/USR-21/phone", json={"phone": None})
    assert cleared.json()["phone"] is None


# -- notification preferences -------------------------------------------------------------------------------
async def _set(client: httpx.AsyncClient, user_id: str, *changes: tuple[str, str, bool]) -> httpx.Response:
    body = {"preferences": [{"kind": k, "channel": c, "enabled": e} for k, c, e in changes]}
    return await client.post(f"/v1/users/{user_id}/notification-preferences", json=body)


async def _notify(client: httpx.AsyncClient, subscriber_id: str, kind: str) -> None:
    posted = await client.post(
        "/v1/notifications",
        json={"subscriber_id": subscriber_id, "kind": kind, "title": kind, "body": "…", "email": True},
    )
    assert posted.status_code == 201


async def test_preferences_default_to_on_and_security_email_is_locked(client: httpx.AsyncClient) -> None:
    prefs = (await client.get("/v1/users/USR-1/profile")).json()["notification_preferences"]
    assert len(prefs) == 10 and all(p["enabled"] for p in prefs)
    assert [(p["kind"], p["channel"]) for p in prefs if p["locked"]] == [("SECURITY", "EMAIL")]
    refused = await _set(client, "USR-1", ("PAYMENTS", "EMAIL", False), ("SECURITY", "EMAIL", False))
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "SECURITY_EMAIL_REQUIRED"
    # All or nothing: the PAYMENTS switch beside it did not move either.
    prefs = (await client.get("/v1/users/USR-1/profile")).json()["notification_preferences"]
    assert all(p["enabled"] for p in prefs)
    assert (await _set(client, "USR-1", ("NEWS", "EMAIL", False))).status_code == 422
    assert (
        await client.post("/v1/users/USR-1/notification-preferences", json={"preferences": []})
    ).status_code == 422


async def test_an_owner_switching_off_payment_emails_stops_them_but_not_the_portal_notice(
    client: httpx.AsyncClient, crm: CrmSystem
) -> None:
    assert (await _set(client, "USR-1", ("PAYMENTS", "EMAIL", False))).status_code == 200
    mails = len(crm.emails(1000))
    for kind in ("PAYMENT_RECEIVED", "INVOICE_ISSUED", "WALLET_CREDITED"):
        await _notify(client, "SUB-1001", kind)
    assert len(crm.emails(1000)) == mails  # the contact address follows its OWNER
    listed = (await client.get("/v1/subscribers/SUB-1001/notifications", params={"user_id": "USR-1"})).json()
    assert [n["kind"] for n in listed["items"][:3]] == [
        "WALLET_CREDITED",
        "INVOICE_ISSUED",
        "PAYMENT_RECEIVED",
    ]
    await _notify(client, "SUB-1001", "SERVICE_STATUS")  # another kind still e-mails
    assert len(crm.emails(1000)) == mails + 1
    assert crm.service.audit.of_user("USR-1", 1)[0]["detail"] == "off: PAYMENTS/EMAIL"


async def test_portal_switched_off_hides_that_kind_from_that_user_only(client: httpx.AsyncClient) -> None:
    await _set(client, "USR-21", ("OUTAGES", "PORTAL", False))
    await _notify(client, "SUB-2001", "GENERAL")
    await _notify(client, "SUB-2001", "TICKET_UPDATED")

    async def kinds(user_id: str) -> tuple[list[str], int]:
        page = (
            await client.get("/v1/subscribers/SUB-2001/notifications", params={"user_id": user_id})
        ).json()
        return [n["kind"] for n in page["items"]], page["unread_count"]

    manager, unread = await kinds("USR-21")
    assert "GENERAL" not in manager and "SERVICE_STATUS" not in manager and manager[0] == "TICKET_UPDATED"
    owner, owner_unread = await kinds("USR-20")
    assert owner[:2] == ["TICKET_UPDATED", "GENERAL"] and owner_unread > unread


async def test_a_ticket_email_follows_its_opener_not_the_owner(
    client: httpx.AsyncClient, crm: CrmSystem
) -> None:
    # Sam (SITE) opened a ticket; the owner switching ticket e-mails off does not silence Sam's.
    await _set(client, "USR-20", ("TICKETS", "EMAIL", False))
    opened = await client.post(
        "/v1/tickets",
        json={
            "subscriber_id": "SUB-2001",
            "author_user_id": "USR-24",
            "category": "OTHER",
            "subject": "Hi",
            "body": "Q",
            "subservice_id": None,
        },
    )
    ticket_id = opened.json()["id"]
    mails = len(crm.emails(1000))
    crm.service.tickets.reply_as_support(ticket_id, "Support", "Answer")
    assert len(crm.emails(1000)) == mails + 1 and crm.emails(1)[0]["to"] == "airport@northwind.example"
    await _set(client, "USR-24", ("TICKETS", "EMAIL", False))
    crm.service.tickets.reply_as_support(ticket_id, "Support", "Another answer")
    assert len(crm.emails(1000)) == mails + 1


# -- the login e-mail: current password to ask, a link to the new address to complete ------------------------
LINK = "http://portal.test/confirm-email"


def _token(crm: CrmSystem, to: str) -> str:
    [mail] = [m for m in crm.emails(10) if m["to"] == to][:1]
    found = re.search(r"http://portal\.test/confirm-email\?token=(\S+)", mail["body"])
    assert found, mail["body"]
    return unquote(found.group(1))


async def test_a_login_email_change_needs_the_password_and_the_link_from_the_new_address(
    client: httpx.AsyncClient, crm: CrmSystem
) -> None:
    async def ask(password: str, email: str) -> httpx.Response:
        body = {"current_password": password, "new_email": email, "link": LINK}
        return await client.post("/v1/users/USR-1/email-change", json=body)

    assert (await ask("wrong-password", "ana.new@lima.example")).json()["error"][
        "code"
    ] == "INVALID_CREDENTIALS"
    assert (await ask(DEMO_PASSWORD, "nope")).json()["error"]["code"] == "INVALID_EMAIL"
    assert (await ask(DEMO_PASSWORD, "ANA@lima.example")).json()["error"]["code"] == "EMAIL_UNCHANGED"
    assert (await ask(DEMO_PASSWORD, "ben@okafor.example")).json()["error"]["code"] == "EMAIL_TAKEN"
    assert (await ask(DEMO_PASSWORD, "ana.new@lima.example")).status_code == 202
    # Nothing changed yet; the old address is told of the request, the new one gets the link.
    assert (await client.get("/v1/users/USR-1")).json()["email"] == "ana@lima.example"
    assert any(m["to"] == "ana@lima.example" and "requested" in m["subject"] for m in crm.emails(3))
    token = _token(crm, "ana.new@lima.example")
    done = await client.post("/v1/auth/email-change/complete", json={"token": token})
    assert done.status_code == 200 and done.json()["email"] == "ana.new@lima.example"
    again = await client.post("/v1/auth/email-change/complete", json={"token": token})
    assert again.json()["error"]["code"] == "INVALID_TOKEN"
    # Signs in with the new address only; the old one was told; it is in the log.
    new = await client.post(
        "/v1/auth/verify", json={"email": "ana.new@lima.example", "password": DEMO_PASSWORD}
    )
    old = await client.post("/v1/auth/verify", json={"email": "ana@lima.example", "password": DEMO_PASSWORD})
    assert new.status_code == 200 and old.json()["error"]["code"] == "INVALID_CREDENTIALS"
    assert crm.emails(1)[0]["to"] == "ana@lima.example" and "was changed" in crm.emails(1)[0]["subject"]
    assert crm.service.audit.of_user("USR-1", 1)[0]["action"] == "login_email_changed"


async def test_the_login_and_contact_email_notices_are_in_the_users_language(
    client: httpx.AsyncClient, crm: CrmSystem
) -> None:
    # Ana chose Portuguese (pt-BR): the link, the notice to her old address and the "changed" notice follow it.
    assert (await client.post("/v1/users/USR-1/locale", json={"locale": "pt"})).status_code == 200
    body = {"current_password": DEMO_PASSWORD, "new_email": "ana.new@lima.example", "link": LINK}
    assert (await client.post("/v1/users/USR-1/email-change", json=body)).status_code == 202
    [link_mail] = [m for m in crm.emails(3) if m["to"] == "ana.new@lima.example"]
    [told] = [m for m in crm.emails(3) if m["to"] == "ana@lima.example"]
    assert link_mail["subject"].startswith("Confirme seu novo e-mail de login")
    assert "ana.new@lima.example" in told["body"] and "Foi solicitada" in told["subject"]
    done = await client.post(
        "/v1/auth/email-change/complete", json={"token": _token(crm, "ana.new@lima.example")}
    )
    assert done.status_code == 200
    assert crm.emails(1)[0]["subject"].endswith("foi alterado")
    # The account's old contact address has no language of its own: it reads the changing member's (Spanish).
    assert (await client.post("/v1/users/USR-1/locale", json={"locale": "es"})).status_code == 200
    changed = await client.post(
        "/v1/subscribers/SUB-1001/contact", json={"changed_by": "USR-1", "email": "casa@lima.example"}
    )
    assert changed.status_code == 200, changed.text
    [notice] = crm.emails(1)
    assert (
        notice["subject"].startswith("Se cambió el correo de contacto")
        and "casa@lima.example" in notice["body"]
    )
