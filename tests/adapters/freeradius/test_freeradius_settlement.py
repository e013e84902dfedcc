"""A payment's settlement with AAA on FreeRADIUS: Ben pays his overdue invoice (the sandbox's Billing, CRM and
gateway), and the settlement's reactivation moves his line out of the non-payment group and disconnects
his walled-garden session on the NAS, once, however often the webhook is delivered."""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from adapters.freeradius.aaa import FreeradiusAaa
from adapters.freeradius.radius import DISCONNECT_REQUEST
from adapters.freeradius.sql import PostgresDatabase
from adapters.resilience.guard import Guard, Policy
from adapters.stripe.webhook import verify_event
from bff.core.bus import MemoryBus
from bff.core.payments.settlement import Settlement
from sandbox.app import Sandbox
from tests.adapters.freeradius.conftest import PLAN, PLAN_RATE, config_for
from tests.adapters.freeradius.nas import NasEmulator
from tests.adapters.freeradius.radiusd import Radiusd
from tests.adapters.freeradius.test_freeradius_radiusd import PASSWORD, account, log_in
from tests.bff.core.payments.test_webhook import pay_invoice
from tests.harness.money import WEBHOOK_SECRET, Listener, Money, money_rig, signed

BEN, BENS_LINE = "SUB-1002", "SS-1002-1"


@pytest.fixture
async def money(sandbox: Sandbox, tmp_path: Path) -> AsyncIterator[Money]:
    async with money_rig(sandbox, tmp_path) as rig:
        yield rig


@pytest.fixture
async def radius_aaa(
    pg_url: str, pg: asyncpg.Connection, live_nas: NasEmulator, dead_nas: NasEmulator
) -> AsyncIterator[FreeradiusAaa]:
    # The sandbox's ids, under a user name of this test's own (the database is shared by the session).
    template = f"t{secrets.token_hex(3)}-{{id}}"
    config = config_for(pg_url, live_nas, dead_nas, username_template=template)
    aaa = FreeradiusAaa(config, PostgresDatabase(pg_url, 4, 2.0, 4.0), Guard("aaa", Policy(deadline_s=5.0)))
    await aaa.ensure_tables()
    yield aaa
    await aaa.close()


async def test_bens_payment_brings_his_line_back_on_the_nas_once(
    money: Money, pg: asyncpg.Connection, radius_aaa: FreeradiusAaa, radiusd: Radiusd, live_nas: NasEmulator
) -> None:
    user = radius_aaa.config.username(BENS_LINE)
    await pg.execute(
        "INSERT INTO radcheck (username, attribute, op, value) VALUES ($1, 'Cleartext-Password', ':=', $2)",
        user,
        PASSWORD,
    )
    await pg.execute(
        "INSERT INTO radusergroup (username, groupname, priority) VALUES ($1, $2, 10), ($1, 'suspended_non_payment', 0)",
        user,
        PLAN,
    )
    await account(radiusd, user, "Start", "ben-garden")  # his CPE sits in the walled garden
    assert (await radius_aaa.status(BENS_LINE)).reason == "NON_PAYMENT"

    backends = dataclasses.replace(money.backends, aaa=radius_aaa)
    invoice_id = await money.invoice_of(BEN, "OVERDUE")
    await pay_invoice(money, BEN, invoice_id)
    body = money.raw_event("payment_intent.succeeded")
    event = verify_event(body, signed(body)["stripe-signature"], WEBHOOK_SECRET)
    bus = MemoryBus()
    async with Listener(bus, BEN) as listener:
        assert await Settlement(backends, bus).handle(event) == "settled"
        settled = await listener.wait_for("payment.settled")
    assert settled.data["reactivated_subservice_ids"] == [BENS_LINE]

    (disconnect,) = await live_nas.wait_for(1)
    assert disconnect.code == DISCONNECT_REQUEST
    assert disconnect.attributes["User-Name"] == [user] and disconnect.attributes["Acct-Session-Id"] == [
        "ben-garden"
    ]
    assert (await radius_aaa.status(BENS_LINE)).status == "ACTIVE"

    # The gateway delivers the event again to a settlement that remembers nothing: nothing more on the NAS.
    assert await Settlement(backends, bus).handle(event) == "settled"
    assert len(live_nas.received) == 1 and money.payments(invoice_id) == 1
    await bus.close()

    await account(radiusd, user, "Stop", "ben-garden")
    accept = await log_in(radiusd, user)
    assert any(f'Mikrotik-Rate-Limit = "{PLAN_RATE}"' in line for line in accept), accept
