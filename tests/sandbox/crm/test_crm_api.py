"""CRM over HTTP: seed facts, batch reads, log-in verification, notifications, audit and key checks."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pytest

from sandbox.crm.service.passwords import dummy_hash, hash_password, verify_password
from sandbox.crm.system import CrmSystem
from sandbox.world import DEMO_PASSWORD, World, with_bench_subscriber
from tests.sandbox.crm.support import OPS


@pytest.fixture(scope="module")
def crm_world(world: World) -> World:
    return with_bench_subscriber(world, 1000)


def event_types(crm: CrmSystem) -> list[str]:
    return [e["type"] for e in reversed(crm.outbox.list())]


# -- seed facts ------------------------------------------------------------------------------------------
async def test_subscriber_counts_its_subservices(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/subscribers/SUB-3001")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Harbor View Apartments"
    assert body["kind"] == "MDU"
    assert body["subservice_count"] == 40
    assert (await client.get("/v1/subscribers/SUB-404")).status_code == 404


async def test_harbor_view_has_forty_apartments_in_natural_order(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/subscribers/SUB-3001/subservices", params={"limit": 1000})
    body = response.json()
    labels = [s["label"] for s in body["items"]]
    assert len(labels) == 40 and body["total_count"] == 40 and body["next_cursor"] is None
    assert labels[0] == "Internet – Apt 101" and labels[-1] == "Internet – Apt 410"
    assert labels[9] == "Internet – Apt 110"  # 110 after 109, not after 101
    assert all(s["activated_on"] < "2026-11-25" for s in body["items"])


async def test_site_user_has_its_sites(client: httpx.AsyncClient) -> None:
    user = (await client.get("/v1/users/USR-31")).json()
    assert user["role"] == "SITE"
    assert user["subscriber_id"] == "SUB-3001"
    assert user["site_subservice_ids"] == ["SS-3001-101", "SS-3001-102"]
    assert user["disabled"] is False


async def test_users_of_a_subscriber(client: httpx.AsyncClient) -> None:
    users = (await client.get("/v1/subscribers/SUB-2001/users")).json()["items"]
    assert {u["id"]: u["role"] for u in users} == {
        "USR-20": "OWNER",
        "USR-21": "MANAGER",
        "USR-22": "FINANCE",
        "USR-23": "VIEWER",
        "USR-24": "SITE",
    }


def test_seeded_hashes_use_the_argon2id_format(crm: CrmSystem) -> None:
    stored = crm.db.scalar("SELECT password_hash FROM users WHERE id = 'USR-1'")
    _, scheme, version, params, salt, _key = stored.split("$")
    assert (scheme, version, params) == ("argon2id", "v=19", "m=19456,t=2,p=1")
    assert len(salt) == 22  # 16 bytes in unpadded base64
    assert verify_password(DEMO_PASSWORD, stored)
    assert not verify_password("wrong", stored)
    assert not verify_password(DEMO_PASSWORD, "scrypt$bad")
    # Two hashes of one password differ (random salt).
    assert hash_password("x") != hash_password("x")


# -- pagination and batches ------------------------------------------------------------------------------
async def test_cursor_walk_covers_every_subservice_once(client: httpx.AsyncClient) -> None:
    seen: list[str] = []
    after: str | None = None
    pages = 0
    while True:
        params: dict[str, str | int] = {"limit": 7}
        if after:
            params["after"] = after
        body = (await client.get("/v1/subscribers/SUB-3001/subservices", params=params)).json()
        assert body["total_count"] == 40
        seen += [s["id"] for s in body["items"]]
        pages += 1
        after = body["next_cursor"]
        if after is None:
            break
    assert pages == 6
    assert len(seen) == 40 and len(set(seen)) == 40
    assert seen[0] == "SS-3001-101" and seen[-1] == "SS-3001-410"


@pytest.mark.parametrize(
    "params",
    [{"limit": 0}, {"limit": 1001}, {"limit": "ten"}, {"after": "not-a-cursor"}, {"after": "dGNrOjE"}],
)
async def test_bad_page_parameters_are_422(client: httpx.AsyncClient, params: dict[str, object]) -> None:
    response = await client.get("/v1/subscribers/SUB-3001/subservices", params=params)
    assert response.status_code == 422
    assert response.json()["error"]["code"] in ("INVALID_REQUEST", "INVALID_CURSOR")


async def test_batch_of_1000_subservices_in_one_call(client: httpx.AsyncClient) -> None:
    ids = [f"SS-9001-{i}" for i in range(1, 1001)]
    response = await client.post("/v1/subservices:batch", json={"ids": ids})
    assert response.status_code == 200
    items = response.json()["items"]
    assert [s["id"] for s in items] == ids
    assert {s["subscriber_id"] for s in items} == {"SUB-9001"}
    too_many = await client.post("/v1/subservices:batch", json={"ids": [*ids, "SS-1001-1"]})
    assert too_many.status_code == 422


async def test_batches_omit_unknown_ids(client: httpx.AsyncClient) -> None:
    subs = (await client.post("/v1/subscribers:batch", json={"ids": ["SUB-1001", "nope", "SUB-2001"]})).json()
    assert [s["id"] for s in subs["items"]] == ["SUB-1001", "SUB-2001"]
    assert subs["items"][1]["subservice_count"] == 10
    users = (await client.post("/v1/users:batch", json={"ids": ["USR-24", "USR-999"]})).json()["items"]
    assert [u["site_subservice_ids"] for u in users] == [["SS-2001-5", "SS-2001-6"]]


async def test_bad_batch_bodies(client: httpx.AsyncClient) -> None:
    assert (await client.post("/v1/users:batch", content=b"{nope")).status_code == 400
    assert (await client.post("/v1/users:batch", json={"ids": []})).status_code == 422
    assert (await client.post("/v1/users:batch", json={"ids": [1, 2]})).status_code == 422


# -- log-in ----------------------------------------------------------------------------------------------
async def test_verify_good_credentials_records_the_login(client: httpx.AsyncClient) -> None:
    before = (await client.get("/v1/users/USR-1")).json()
    assert before["last_login_at"] is None
    response = await client.post(
        "/v1/auth/verify", json={"email": "  Ana@Lima.EXAMPLE ", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 200
    user = response.json()
    assert user["id"] == "USR-1" and user["role"] == "OWNER"
    assert user["last_login_at"] is not None
    assert (await client.get("/v1/users/USR-1")).json()["last_login_at"] == user["last_login_at"]


async def test_wrong_password_and_unknown_email_answer_alike(client: httpx.AsyncClient) -> None:
    wrong = await client.post("/v1/auth/verify", json={"email": "ana@lima.example", "password": "nope"})
    unknown = await client.post("/v1/auth/verify", json={"email": "who@nowhere.example", "password": "nope"})
    assert wrong.status_code == unknown.status_code == 422
    assert wrong.json() == unknown.json()
    assert wrong.json()["error"]["code"] == "INVALID_CREDENTIALS"


async def test_disabled_user_cannot_log_in_until_enabled(client: httpx.AsyncClient) -> None:
    disabled = await client.post("/v1/ops/users/USR-2/disable", headers=OPS)
    assert disabled.status_code == 200 and disabled.json()["disabled"] is True
    refused = await client.post(
        "/v1/auth/verify", json={"email": "ben@okafor.example", "password": DEMO_PASSWORD}
    )
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "USER_DISABLED"
    # Without the right password a disabled account looks like any other failure.
    wrong = await client.post("/v1/auth/verify", json={"email": "ben@okafor.example", "password": "x"})
    assert wrong.json()["error"]["code"] == "INVALID_CREDENTIALS"
    await client.post("/v1/ops/users/USR-2/enable", headers=OPS)
    ok = await client.post("/v1/auth/verify", json={"email": "ben@okafor.example", "password": DEMO_PASSWORD})
    assert ok.status_code == 200


async def test_unknown_email_still_runs_scrypt(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same work for an unknown e-mail as for a wrong password: no user enumeration by timing."""
    from sandbox.crm.service import directory

    checked: list[str] = []

    def spy(password: str, stored: str) -> bool:
        checked.append(stored)
        return verify_password(password, stored)

    monkeypatch.setattr(directory, "verify_password", spy)
    await client.post("/v1/auth/verify", json={"email": "who@nowhere.example", "password": DEMO_PASSWORD})
    await client.post("/v1/auth/verify", json={"email": "ana@lima.example", "password": "wrong"})
    assert len(checked) == 2
    assert checked[0] == dummy_hash() and checked[0].split("$")[1:4] == checked[1].split("$")[1:4]
    assert not verify_password(DEMO_PASSWORD, dummy_hash())


@pytest.mark.parametrize(
    "body", [{}, {"email": "a@b.c"}, {"email": "a@b.c", "password": ""}, {"email": 5, "password": "x"}]
)
async def test_verify_validates_its_body(client: httpx.AsyncClient, body: dict[str, object]) -> None:
    response = await client.post("/v1/auth/verify", json=body)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "INVALID_REQUEST"


# -- notifications ---------------------------------------------------------------------------------------
async def test_seeded_notifications(client: httpx.AsyncClient) -> None:
    ana = (await client.get("/v1/subscribers/SUB-1001/notifications", params={"user_id": "USR-1"})).json()
    assert [(n["kind"], n["title"], n["read"]) for n in ana["items"]] == [
        ("INVOICE_ISSUED", "Invoice issued", False)
    ]
    assert ana["unread_count"] == 1
    ben = (await client.get("/v1/subscribers/SUB-1002/notifications", params={"user_id": "USR-2"})).json()
    assert ben["items"][0]["title"] == "Service suspended for non-payment"
    assert ben["items"][0]["subservice_id"] == "SS-1002-1"
    northwind = (
        await client.get("/v1/subscribers/SUB-2001/notifications", params={"user_id": "USR-22"})
    ).json()
    assert northwind["items"][0]["title"] == "Wallet credited with 250.00"
    assert northwind["items"][0]["read"] is True and northwind["unread_count"] == 0


RELATIVE_TIME = re.compile(r"\b(in \d+ days?|\d+ days? ago|today|tomorrow|yesterday|now)\b", re.I)


async def test_seeded_notifications_state_dates_not_relative_times(
    client: httpx.AsyncClient, crm_world: World
) -> None:
    """A notice is read days after it was written: "due in 5 days" stamped "2 days ago" contradicts itself."""
    bodies = []
    for subscriber, user in (("SUB-1001", "USR-1"), ("SUB-1002", "USR-2"), ("SUB-2001", "USR-22")):
        page = (
            await client.get(f"/v1/subscribers/{subscriber}/notifications", params={"user_id": user})
        ).json()
        bodies += [f"{n['title']} {n['body']}" for n in page["items"]]
    assert bodies and not [b for b in bodies if RELATIVE_TIME.search(b)], bodies
    ana = next(s for s in crm_world.subscribers if s.id == "SUB-1001")
    assert ana.open_due_in_days is not None
    due = crm_world.today + timedelta(days=ana.open_due_in_days)
    assert any(f"due on {due:%B} {due.day}, {due.year}" in b for b in bodies), bodies


async def test_notification_read_marks_are_per_user(client: httpx.AsyncClient, crm: CrmSystem) -> None:
    created = await client.post(
        "/v1/notifications",
        json={"subscriber_id": "SUB-2001", "kind": "GENERAL", "title": "Maintenance", "body": "Sunday 2am"},
    )
    assert created.status_code == 201
    notification = created.json()
    assert notification["read"] is False
    assert event_types(crm)[-1] == "notification.created"
    url = "/v1/subscribers/SUB-2001/notifications"
    assert (await client.get(url, params={"user_id": "USR-20"})).json()["unread_count"] == 1
    marked = await client.post(
        "/v1/notifications/read", json={"user_id": "USR-20", "ids": [notification["id"], "NTF-1", "NTF-404"]}
    )
    # NTF-1 is Ana's: another subscriber's id is ignored, not marked.
    assert marked.json() == {"marked_ids": [notification["id"]], "unread_count": 0}
    owner = (await client.get(url, params={"user_id": "USR-20", "unread_only": "true"})).json()
    assert owner["items"] == [] and owner["unread_count"] == 0
    manager = (await client.get(url, params={"user_id": "USR-21"})).json()
    assert manager["unread_count"] == 1
    assert [n["read"] for n in manager["items"]] == [False, True]
    ana = (await client.get("/v1/subscribers/SUB-1001/notifications", params={"user_id": "USR-1"})).json()
    assert ana["unread_count"] == 1


async def test_site_user_sees_only_its_sites_notifications(client: httpx.AsyncClient) -> None:
    for subservice_id in ("SS-2001-5", "SS-2001-1"):
        await client.post(
            "/v1/notifications",
            json={
                "subscriber_id": "SUB-2001",
                "subservice_id": subservice_id,
                "kind": "SERVICE_STATUS",
                "title": f"{subservice_id} back online",
                "body": "Restored.",
            },
        )
    url = "/v1/subscribers/SUB-2001/notifications"
    site = (await client.get(url, params={"user_id": "USR-24"})).json()
    # The seeded subscriber-wide notice is about the wallet, which a SITE user does not see.
    assert {n["subservice_id"] for n in site["items"]} == {"SS-2001-5"}
    assert site["unread_count"] == 1
    owner = (await client.get(url, params={"user_id": "USR-20"})).json()
    assert {n["subservice_id"] for n in owner["items"]} == {"SS-2001-5", "SS-2001-1", None}
    assert "WALLET_CREDITED" in {n["kind"] for n in owner["items"]}


async def test_notification_with_email_queues_an_email(client: httpx.AsyncClient) -> None:
    await client.post(
        "/v1/notifications",
        json={
            "subscriber_id": "SUB-1003",
            "kind": "PAYMENT_RECEIVED",
            "title": "Payment received",
            "body": "Thanks for your payment of 29.99.",
            "email": True,
        },
    )
    emails = (await client.get("/v1/ops/emails", headers=OPS)).json()["items"]
    assert emails[0]["to"] == "cara@jensen.example"
    assert emails[0]["subject"] == "Payment received"
    assert emails[0]["body"] == "Thanks for your payment of 29.99."


async def test_notification_validation(client: httpx.AsyncClient) -> None:
    base = {"subscriber_id": "SUB-1001", "kind": "GENERAL", "title": "t", "body": "b"}
    cases = [
        ({**base, "subservice_id": "SS-2001-1"}, "SUBSERVICE_MISMATCH"),
        ({**base, "subscriber_id": "SUB-404"}, "UNKNOWN_SUBSCRIBER"),
        ({**base, "kind": "SPAM"}, "INVALID_REQUEST"),
        ({**base, "title": "x" * 201}, "INVALID_REQUEST"),
        ({**base, "email": "yes"}, "INVALID_REQUEST"),
    ]
    for body, code in cases:
        response = await client.post("/v1/notifications", json=body)
        assert response.status_code == 422, body
        assert response.json()["error"]["code"] == code
    foreign = await client.get("/v1/subscribers/SUB-1001/notifications", params={"user_id": "USR-20"})
    assert foreign.json()["error"]["code"] == "USER_MISMATCH"
    missing = await client.get("/v1/subscribers/SUB-1001/notifications")
    assert missing.status_code == 422


# -- audit -----------------------------------------------------------------------------------------------
async def test_audit_log_round_trip(client: httpx.AsyncClient) -> None:
    first = await client.post(
        "/v1/audit",
        json={"user_id": "USR-21", "action": "login", "ip": "203.0.113.7", "user_agent": "Firefox"},
    )
    assert first.status_code == 201
    assert first.json()["subscriber_id"] == "SUB-2001"  # taken from the user
    await client.post("/v1/audit", json={"user_id": "USR-21", "action": "ticket.open", "detail": "TCK-9"})
    await client.post("/v1/audit", json={"subscriber_id": "SUB-2001", "action": "login_failed"})
    mine = (await client.get("/v1/users/USR-21/audit")).json()["items"]
    assert [e["action"] for e in mine] == ["ticket.open", "login"]
    assert mine[1]["ip"] == "203.0.113.7" and mine[1]["user_agent"] == "Firefox"
    theirs = (await client.get("/v1/subscribers/SUB-2001/audit", params={"limit": 2})).json()["items"]
    assert [e["action"] for e in theirs] == ["login_failed", "ticket.open"]
    mismatch = await client.post(
        "/v1/audit", json={"user_id": "USR-1", "subscriber_id": "SUB-2001", "action": "x"}
    )
    assert mismatch.json()["error"]["code"] == "USER_MISMATCH"
    assert (await client.get("/v1/users/USR-404/audit")).status_code == 404


# -- keys ------------------------------------------------------------------------------------------------
async def test_keys(client: httpx.AsyncClient) -> None:
    no_key = await client.get("/v1/subscribers/SUB-1001", headers={"x-api-key": ""})
    assert no_key.status_code == 401
    wrong = await client.get("/v1/subscribers/SUB-1001", headers={"x-api-key": "guess"})
    assert wrong.status_code == 403
    service_on_ops = await client.get("/v1/ops/tickets")
    assert service_on_ops.status_code == 403
    assert service_on_ops.json()["error"]["code"] == "FORBIDDEN"
    assert (await client.post("/v1/ops/users/USR-1/disable")).status_code == 403
    assert (await client.get("/v1/ops/tickets", headers=OPS)).status_code == 200
    assert (await client.get("/v1/subscribers/SUB-1001", headers=OPS)).status_code == 200
