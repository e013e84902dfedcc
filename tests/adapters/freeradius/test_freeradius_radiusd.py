"""The adapter against a real FreeRADIUS on PostgreSQL: radclient plays the NAS (Access-Request, Accounting
Start / Interim-Update / Stop), the adapter reads what FreeRADIUS wrote, and its changes reach a NAS
emulator by CoA / Disconnect (verified with the shared secret) — or are reported when the NAS is dead."""

from __future__ import annotations

import asyncio
import logging

import asyncpg
import pytest

from adapters.errors import NotFound, Rejected
from adapters.freeradius.aaa import FreeradiusAaa
from adapters.freeradius.radius import COA_REQUEST, DISCONNECT_REQUEST
from adapters.ports.window import SubscriberWindow
from tests.adapters.freeradius.conftest import (
    CAP_RATE,
    DEAD_NAS,
    LIVE_NAS,
    PLAN,
    PLAN_RATE,
    Calls,
    unique,
)
from tests.adapters.freeradius.nas import NasEmulator
from tests.adapters.freeradius.radiusd import Radiusd

GIB4 = 1 << 32
PASSWORD = "line-password"


async def provision(
    pg: asyncpg.Connection, subservice_id: str, subscriber_id: str, password: str = PASSWORD
) -> None:
    """What the operator's provisioning does for a new subscriber line: a password, the plan group, and
    (for the portal) the sub-service's subscriber."""
    await pg.execute(
        "INSERT INTO radcheck (username, attribute, op, value) VALUES ($1, 'Cleartext-Password', ':=', $2)",
        subservice_id,
        password,
    )
    await pg.execute(
        "INSERT INTO radusergroup (username, groupname, priority) VALUES ($1, $2, 10)", subservice_id, PLAN
    )
    await pg.execute(
        "INSERT INTO wispgate_aaa_subscriber (subservice_id, subscriber_id) VALUES ($1, $2)",
        subservice_id,
        subscriber_id,
    )


async def log_in(radiusd: Radiusd, username: str, password: str = PASSWORD) -> list[str]:
    return await radiusd.radclient("auth", {"User-Name": username, "User-Password": password})


async def account(
    radiusd: Radiusd, username: str, status: str, session: str, nas: str = LIVE_NAS, **extra: int
) -> None:
    lines = await radiusd.radclient(
        "acct",
        {
            "User-Name": username,
            "Acct-Status-Type": status,
            "Acct-Session-Id": session,
            "NAS-IP-Address": nas,
            "NAS-Port": 7,
            "Framed-IP-Address": "100.64.3.9",
            **extra,
        },
    )
    assert any("Received Accounting-Response" in line for line in lines), lines


async def test_status_profile_and_session_read_back_from_what_radiusd_wrote(
    pg: asyncpg.Connection, pg_aaa: FreeradiusAaa, radiusd: Radiusd
) -> None:
    sid, subscriber = unique(), unique("SUB")
    await provision(pg, sid, subscriber)

    accept = await log_in(radiusd, sid)
    assert any("Received Access-Accept" in line for line in accept), accept
    assert any(f'Mikrotik-Rate-Limit = "{PLAN_RATE}"' in line for line in accept), accept

    status = await pg_aaa.status(sid)
    assert (status.status, status.reason, status.subscriber_id) == ("ACTIVE", None, subscriber)
    profile = (await pg_aaa.profiles([sid]))[sid]
    assert (profile.name, profile.plan, profile.down_mbps, profile.up_mbps, profile.restricted) == (
        PLAN, PLAN, 100, 20, False,
    )  # fmt: skip
    assert (await pg_aaa.sessions([sid]))[sid].online is False

    await account(radiusd, sid, "Start", "sess-1")
    live = (await pg_aaa.sessions([sid]))[sid]
    assert (live.online, live.ip, live.nas, live.bytes_in, live.bytes_out) == (
        True,
        "100.64.3.9",
        LIVE_NAS,
        0,
        0,
    )
    assert live.started_at is not None and live.started_at.tzinfo is not None

    # Past 4 GiB the NAS counts in gigawords; the adapter reports the whole count, downloads as bytes_in.
    await account(
        radiusd, sid, "Interim-Update", "sess-1",
        **{"Acct-Output-Octets": 1000, "Acct-Output-Gigawords": 2, "Acct-Input-Octets": 500, "Acct-Session-Time": 60},
    )  # fmt: skip
    live = (await pg_aaa.sessions([sid]))[sid]
    assert (live.bytes_in, live.bytes_out) == (2 * GIB4 + 1000, 500)

    covered = await pg_aaa.sessions_of(SubscriberWindow(subscriber))
    assert covered.subservice_ids == {sid} and covered.found[sid].online

    await account(radiusd, sid, "Stop", "sess-1", **{"Acct-Output-Octets": 2000, "Acct-Session-Time": 90})
    assert (await pg_aaa.sessions([sid]))[sid].online is False


async def test_unknown_sub_services_are_absent_and_not_found(pg_aaa: FreeradiusAaa) -> None:
    assert await pg_aaa.statuses(["SS-nobody"]) == {}
    assert await pg_aaa.sessions(["SS-nobody"]) == {}
    with pytest.raises(NotFound):
        await pg_aaa.status("SS-nobody")
    with pytest.raises(NotFound):
        await pg_aaa.reactivate("SS-nobody", "NON_PAYMENT")


async def test_payment_reactivation_reaches_the_nas_and_the_next_log_in_gets_the_plan(
    pg: asyncpg.Connection, pg_aaa: FreeradiusAaa, radiusd: Radiusd, live_nas: NasEmulator
) -> None:
    sid, subscriber = unique(), unique("SUB")
    await provision(pg, sid, subscriber)
    await account(radiusd, sid, "Start", "sess-2")

    down = await pg_aaa.set_down(sid, "SUSPENDED", "NON_PAYMENT", "Invoice overdue")
    assert (down.changed, down.status.status, down.live) == (True, "SUSPENDED", "APPLIED")
    (disconnect,) = await live_nas.wait_for(1)
    assert disconnect.code == DISCONNECT_REQUEST
    assert disconnect.attributes["User-Name"] == [sid] and disconnect.attributes["Acct-Session-Id"] == [
        "sess-2"
    ]
    await account(radiusd, sid, "Stop", "sess-2")

    # The suspended CPE logs in again into the walled garden.
    garden = await log_in(radiusd, sid)
    assert any('Mikrotik-Rate-Limit = "64k/64k"' in line for line in garden), garden
    await account(radiusd, sid, "Start", "sess-3")
    assert (await pg_aaa.status(sid)).reason == "NON_PAYMENT"

    # The payment: reactivated for exactly that reason, with the settlement's key.
    result = await pg_aaa.reactivate(sid, "NON_PAYMENT", "Paid", idempotency_key="pi_1:reactivate")
    assert (result.changed, result.status.status, result.status.reason, result.live) == (
        True,
        "ACTIVE",
        None,
        "APPLIED",
    )
    received = await live_nas.wait_for(2)
    assert received[1].code == DISCONNECT_REQUEST and received[1].attributes["Acct-Session-Id"] == ["sess-3"]
    assert live_nas.forged == 0

    # The repeat (a redelivered webhook) answers the same and sends nothing more.
    again = await pg_aaa.reactivate(sid, "NON_PAYMENT", "Paid", idempotency_key="pi_1:reactivate")
    assert again == result and len(live_nas.received) == 2
    with pytest.raises(Rejected) as conflict:
        await pg_aaa.reactivate(sid, "USAGE_CAP", idempotency_key="pi_1:reactivate")
    assert conflict.value.code == "IDEMPOTENCY_CONFLICT"
    # Without a key, a repeat is a no-op.
    assert (await pg_aaa.reactivate(sid, "NON_PAYMENT")).changed is False

    accept = await log_in(radiusd, sid)
    assert any(f'Mikrotik-Rate-Limit = "{PLAN_RATE}"' in line for line in accept), accept

    history = await pg_aaa.status_history(sid)
    assert [(h.from_status, h.to_status, h.reason, h.actor) for h in history] == [
        ("SUSPENDED", "ACTIVE", None, "SERVICE"),
        ("ACTIVE", "SUSPENDED", "NON_PAYMENT", "OPERATOR"),
        (None, "ACTIVE", None, "SYSTEM"),
    ]


async def test_a_payment_does_not_lift_a_fraud_suspension(
    pg: asyncpg.Connection, pg_aaa: FreeradiusAaa, radiusd: Radiusd
) -> None:
    sid = unique()
    await provision(pg, sid, unique("SUB"))
    await pg_aaa.set_down(sid, "SUSPENDED", "FRAUD")
    reject = await log_in(radiusd, sid)
    assert any("Received Access-Reject" in line for line in reject), reject
    with pytest.raises(Rejected) as refused:
        await pg_aaa.reactivate(sid, "NON_PAYMENT")
    assert refused.value.code == "REASON_MISMATCH"
    assert (await pg_aaa.status(sid)).reason == "FRAUD"


async def test_restriction_and_its_lifting_change_the_rate_by_coa(
    pg: asyncpg.Connection, pg_aaa: FreeradiusAaa, radiusd: Radiusd, live_nas: NasEmulator
) -> None:
    sid = unique()
    await provision(pg, sid, unique("SUB"))
    await account(radiusd, sid, "Start", "sess-4")

    restricted = await pg_aaa.set_down(sid, "RESTRICTED", "USAGE_CAP")
    assert restricted.live == "APPLIED"
    (coa,) = await live_nas.wait_for(1)
    assert coa.code == COA_REQUEST and coa.attributes["Mikrotik-Rate-Limit"] == [CAP_RATE]
    profile = (await pg_aaa.profiles([sid]))[sid]
    assert (profile.name, profile.plan, profile.down_mbps, profile.up_mbps, profile.restricted) == (
        "Restricted", PLAN, 2, 1, True,
    )  # fmt: skip
    capped = await log_in(radiusd, sid)
    assert any(f'Mikrotik-Rate-Limit = "{CAP_RATE}"' in line for line in capped), capped

    lifted = await pg_aaa.reactivate(sid, "USAGE_CAP", "Data bought")
    assert lifted.live == "APPLIED"
    received = await live_nas.wait_for(2)
    assert received[1].code == COA_REQUEST and received[1].attributes["Mikrotik-Rate-Limit"] == [PLAN_RATE]


async def test_set_profile_writes_the_rate_and_applies_it_live(
    pg: asyncpg.Connection, pg_aaa: FreeradiusAaa, radiusd: Radiusd, live_nas: NasEmulator
) -> None:
    sid = unique()
    await provision(pg, sid, unique("SUB"))
    await account(radiusd, sid, "Start", "sess-5")

    change = await pg_aaa.set_profile(sid, "Fiber 300", 300, 50, idempotency_key="plan-change:1")
    assert change.changed and change.live == "APPLIED"
    assert (change.profile.name, change.profile.down_mbps, change.profile.up_mbps) == ("Fiber 300", 300, 50)
    (coa,) = await live_nas.wait_for(1)
    assert coa.code == COA_REQUEST and coa.attributes["Mikrotik-Rate-Limit"] == ["50M/300M"]
    accept = await log_in(radiusd, sid)
    assert any('Mikrotik-Rate-Limit = "50M/300M"' in line for line in accept), accept

    assert (await pg_aaa.set_profile(sid, "Fiber 300", 300, 50, idempotency_key="plan-change:1")).changed
    assert not (await pg_aaa.set_profile(sid, "Fiber 300", 300, 50)).changed
    assert len(live_nas.received) == 1
    with pytest.raises(Rejected):
        await pg_aaa.set_profile(sid, "restricted_usage_cap", 1, 1)


async def test_a_dead_nas_is_retried_and_reported_and_the_change_kept(
    pg: asyncpg.Connection,
    pg_aaa: FreeradiusAaa,
    radiusd: Radiusd,
    dead_nas: NasEmulator,
    calls: Calls,
    caplog: pytest.LogCaptureFixture,
) -> None:
    sid = unique()
    await provision(pg, sid, unique("SUB"))
    await pg_aaa.set_down(sid, "RESTRICTED", "USAGE_CAP")
    await account(radiusd, sid, "Start", "sess-6", nas=DEAD_NAS)

    with caplog.at_level(logging.ERROR, logger="wispgate.aaa.nas"):
        result = await pg_aaa.reactivate(sid, "USAGE_CAP", idempotency_key="topup:1")
    assert (result.changed, result.status.status, result.live) == (True, "ACTIVE", "UNREACHABLE")
    # The first attempt and both retransmissions, all the same packet (same identifier and authenticator).
    assert len(dead_nas.received) == 3 and len({r.raw for r in dead_nas.received}) == 1
    assert any(
        DEAD_NAS in r.getMessage() and "did not answer 3 attempt" in r.getMessage() for r in caplog.records
    )
    assert ("aaa-nas", "CoA-Request", "timeout") in calls.finished
    assert (await pg_aaa.status(sid)).status == "ACTIVE"  # kept in SQL: the next log-in gets the plan
    # A repeat of the key reports what the first call found.
    assert (await pg_aaa.reactivate(sid, "USAGE_CAP", idempotency_key="topup:1")).live == "UNREACHABLE"


async def test_a_change_made_outside_the_portal_is_recorded_once(
    pg: asyncpg.Connection, pg_aaa: FreeradiusAaa
) -> None:
    sid = unique()
    await provision(pg, sid, unique("SUB"))
    await pg_aaa.status(sid)
    # The operator suspends the line in another tool: a row in the status group, nothing else.
    await pg.execute(
        "INSERT INTO radusergroup (username, groupname, priority) VALUES ($1, 'suspended_administrative', 0)",
        sid,
    )
    seen = await asyncio.gather(*(pg_aaa.statuses([sid]) for _ in range(4)))
    assert {(s[sid].status, s[sid].reason) for s in seen} == {("SUSPENDED", "ADMINISTRATIVE")}
    history = await pg_aaa.status_history(sid)
    assert [(h.from_status, h.to_status, h.reason, h.actor) for h in history] == [
        ("ACTIVE", "SUSPENDED", "ADMINISTRATIVE", "OPERATOR"),
        (None, "ACTIVE", None, "SYSTEM"),
    ]
    assert (await pg_aaa.status(sid)).since == history[0].at


async def test_the_health_probe_sees_the_schema(pg_aaa: FreeradiusAaa) -> None:
    assert await pg_aaa.reachable() == ""
