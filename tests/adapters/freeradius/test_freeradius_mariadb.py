"""The same adapter on MariaDB with FreeRADIUS's MySQL schema (rows written directly, as FreeRADIUS's MySQL
queries would), configured for the WISPr bandwidth attributes instead of Mikrotik's."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import aiomysql
import pytest

from adapters.freeradius.aaa import FreeradiusAaa
from adapters.freeradius.radius import COA_REQUEST
from adapters.ports.window import SubscriberWindow
from tests.adapters.freeradius.conftest import LIVE_NAS, unique
from tests.adapters.freeradius.nas import NasEmulator

STARTED = datetime(2026, 11, 20, 8, 30)  # naive, as MariaDB's DATETIME holds it (the database's zone: UTC)


@pytest.fixture
async def maria(maria_database: str) -> AsyncIterator[Any]:
    connection = await aiomysql.connect(
        host="127.0.0.1", port=3306, user="root", password="", db=maria_database, autocommit=True
    )
    yield connection
    connection.close()


async def run(connection: Any, sql: str, *args: Any) -> None:
    async with connection.cursor() as cursor:
        await cursor.execute(sql, args)


async def line(connection: Any, sid: str, subscriber: str, plan: str, *groups: str) -> None:
    await run(
        connection,
        "INSERT INTO radcheck (username, attribute, op, value) VALUES (%s, 'Cleartext-Password', ':=', 'x')",
        sid,
    )
    await run(
        connection, "INSERT INTO radusergroup (username, groupname, priority) VALUES (%s, %s, 10)", sid, plan
    )
    for group in groups:
        await run(
            connection,
            "INSERT INTO radusergroup (username, groupname, priority) VALUES (%s, %s, 0)",
            sid,
            group,
        )
    await run(
        connection,
        "INSERT INTO wispgate_aaa_subscriber (subservice_id, subscriber_id) VALUES (%s, %s)",
        sid,
        subscriber,
    )


async def test_reads_and_a_reactivation_on_mariadb(
    maria: Any, maria_aaa: FreeradiusAaa, live_nas: NasEmulator
) -> None:
    plan, cap = unique("Plan"), "restricted_usage_cap"
    for group, attribute, op, value in (
        (plan, "WISPr-Bandwidth-Max-Down", "=", "50000000"),
        (plan, "WISPr-Bandwidth-Max-Up", "=", "10000000"),
        (cap, "WISPr-Bandwidth-Max-Down", ":=", "2000000"),
        (cap, "WISPr-Bandwidth-Max-Up", ":=", "1000000"),
    ):
        await run(
            maria,
            "INSERT INTO radgroupreply (groupname, attribute, op, value) VALUES (%s, %s, %s, %s)",
            group,
            attribute,
            op,
            value,
        )
    subscriber = unique("SUB")
    first, second, tenth = (f"{subscriber}-{n}" for n in (1, 2, 10))
    await line(maria, tenth, subscriber, plan)
    await line(maria, second, subscriber, plan, cap)
    await line(maria, first, subscriber, plan)
    await run(
        maria,
        "INSERT INTO radacct (acctsessionid, acctuniqueid, username, nasipaddress, acctstarttime, acctinputoctets,"
        " acctoutputoctets, framedipaddress) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
        "m-1", unique("u"), second, LIVE_NAS, STARTED, 700, 5 * (1 << 32) + 9, "100.64.8.8",
    )  # fmt: skip

    statuses = await maria_aaa.statuses_of(SubscriberWindow(subscriber, offset=1, limit=2))
    assert statuses.subservice_ids == {second, tenth}  # "-10" after "-2": the CRM's natural order
    assert (statuses.found[second].status, statuses.found[second].reason) == ("RESTRICTED", "USAGE_CAP")
    assert statuses.found[tenth].status == "ACTIVE"

    profiles = await maria_aaa.profiles([first, second])
    assert (profiles[first].name, profiles[first].down_mbps, profiles[first].up_mbps) == (plan, 50, 10)
    assert (profiles[second].name, profiles[second].plan, profiles[second].down_mbps, profiles[second].restricted) == (
        "Restricted", plan, 2, True,
    )  # fmt: skip

    sessions = await maria_aaa.sessions([first, second])
    assert sessions[first].online is False
    live = sessions[second]
    assert (live.online, live.ip, live.nas, live.bytes_in, live.bytes_out) == (
        True,
        "100.64.8.8",
        LIVE_NAS,
        5 * (1 << 32) + 9,
        700,
    )
    assert live.started_at == STARTED.replace(tzinfo=UTC)

    lifted = await maria_aaa.reactivate(second, "USAGE_CAP", idempotency_key="bought:1")
    assert (lifted.changed, lifted.status.status, lifted.live) == (True, "ACTIVE", "APPLIED")
    (coa,) = await live_nas.wait_for(1)
    assert coa.code == COA_REQUEST
    assert coa.attributes["WISPr-Bandwidth-Max-Down"] == [50_000_000] and coa.attributes[
        "WISPr-Bandwidth-Max-Up"
    ] == [10_000_000]
    assert (await maria_aaa.reactivate(second, "USAGE_CAP", idempotency_key="bought:1")) == lifted

    change = await maria_aaa.set_profile(first, "Fiber 80", 80, 20)
    assert (change.profile.plan, change.profile.down_mbps, change.profile.up_mbps, change.live) == (
        "Fiber 80",
        80,
        20,
        "OFFLINE",
    )
    history = await maria_aaa.status_history(second)
    assert [(h.to_status, h.actor) for h in history] == [("ACTIVE", "SERVICE"), ("RESTRICTED", "SYSTEM")]


async def test_an_open_session_the_nas_stopped_reporting_is_offline_when_so_configured(
    maria: Any, maria_aaa: FreeradiusAaa
) -> None:
    lost, fresh = unique(), unique()
    for sid, updated in ((lost, STARTED), (fresh, STARTED + timedelta(minutes=110))):
        await line(maria, sid, unique("SUB"), unique("Plan"))
        await run(
            maria,
            "INSERT INTO radacct (acctsessionid, acctuniqueid, username, nasipaddress, acctstarttime, acctupdatetime)"
            " VALUES (%s, %s, %s, %s, %s, %s)",
            "s", unique("u"), sid, LIVE_NAS, STARTED, updated,
        )  # fmt: skip
    # By default every open record is a live session.
    assert {s.online for s in (await maria_aaa.sessions([lost, fresh])).values()} == {True}
    # With a staleness limit of an hour, two hours after the last word the NAS lost that session.
    wary = FreeradiusAaa(
        dataclasses.replace(maria_aaa.config, session_stale_s=3600),
        maria_aaa.db,
        maria_aaa.guard,
        clock=lambda: STARTED.replace(tzinfo=UTC) + timedelta(hours=2),
    )
    sessions = await wary.sessions([lost, fresh])
    assert (sessions[lost].online, sessions[fresh].online) == (False, True)
