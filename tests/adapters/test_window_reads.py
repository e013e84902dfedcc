"""Subscriber-keyed window reads (`adapters.ports.window`) against the real sandbox: AAA, OSS and Billing
cut a subscriber's sub-services into the same windows as the CRM's pages (the natural order of the ids),
answer what their reads by id answer, and say which sub-services they covered."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from adapters.errors import Rejected
from adapters.ports.window import SubscriberWindow
from adapters.wispgate.aaa import HttpAaa
from adapters.wispgate.billing import HttpBilling
from adapters.wispgate.client import BackendConfig, CoreClient, make_http_client
from adapters.wispgate.crm import HttpCrm
from adapters.wispgate.oss import HttpOss
from sandbox.app import Sandbox
from sandbox.world import BENCH_SUBSCRIBER_ID
from tests.harness.sandbox import SandboxTemplate
from tests.harness.transport import DispatchTransport

N = 12  # SS-9001-10..12 sort after SS-9001-9 in the natural order, before it as text


@dataclass
class Core:
    crm: HttpCrm
    aaa: HttpAaa
    oss: HttpOss
    billing: HttpBilling
    sandbox: Sandbox


@pytest.fixture
async def core(tmp_path: Path, today: date) -> AsyncIterator[Core]:
    sandbox: Sandbox = SandboxTemplate.seed(tmp_path / "template", today, N).copy(tmp_path / "sandbox")
    transport = DispatchTransport.to(sandbox.systems)
    key = sandbox.settings.service_key
    clients = {
        name: make_http_client(BackendConfig(f"http://{name}.test", key), transport)
        for name in ("crm", "aaa", "oss", "billing")
    }
    try:
        yield Core(
            HttpCrm(CoreClient("crm", clients["crm"])),
            HttpAaa(CoreClient("aaa", clients["aaa"])),
            HttpOss(CoreClient("oss", clients["oss"])),
            HttpBilling(CoreClient("billing", clients["billing"])),
            sandbox,
        )
    finally:
        for http in clients.values():
            await http.aclose()
        sandbox.close()


@pytest.mark.parametrize(("offset", "limit"), [(0, 5), (5, 5), (10, 5), (0, None), (12, 3)])
async def test_every_system_cuts_the_crms_page(core: Core, offset: int, limit: int | None) -> None:
    listed = [s.id for s in await core.crm.all_subservices_of(BENCH_SUBSCRIBER_ID)]
    page = listed[offset : None if limit is None else offset + limit]
    window = SubscriberWindow(BENCH_SUBSCRIBER_ID, offset, limit)

    statuses = await core.aaa.statuses_of(window)
    profiles = await core.aaa.profiles_of(window)
    sessions = await core.aaa.sessions_of(window)
    devices = await core.oss.devices_of(window)
    billing = await core.billing.subservice_billing_of(window)
    for answer in (statuses, profiles, sessions, devices, billing):
        assert answer.subservice_ids == frozenset(page)
        assert set(answer.found) == set(page)
    if not page:
        return
    # What the reads by id answer, for the same sub-services (sessions' counters move with the clock).
    assert statuses.found == await core.aaa.statuses(page)
    assert profiles.found == await core.aaa.profiles(page)
    assert {i: s.online for i, s in sessions.found.items()} == {
        i: s.online for i, s in (await core.aaa.sessions(page)).items()
    }
    assert devices.found == await core.oss.devices_for(page)
    assert billing.found == await core.billing.subservice_billing(page)


async def test_a_sub_service_without_devices_is_still_covered(core: Core) -> None:
    # A line OSS has just provisioned, with no CPE yet (and, for the test, one the CRM does not list).
    core.sandbox.oss.db.execute(
        "INSERT INTO oss_subservice (id, subscriber_id, kind) VALUES ('SS-1001-9', 'SUB-1001', 'VOIP')"
    )
    listed = [s.id for s in await core.crm.all_subservices_of("SUB-1001")]
    devices = await core.oss.devices_of(SubscriberWindow("SUB-1001"))
    assert devices.subservice_ids == frozenset([*listed, "SS-1001-9"])
    assert devices.found["SS-1001-9"] == []
    assert devices.found == await core.oss.devices_for([*listed, "SS-1001-9"])


async def test_an_unknown_subscriber_has_nothing_and_a_bad_window_is_refused(core: Core) -> None:
    nobody = await core.aaa.statuses_of(SubscriberWindow("SUB-404"))
    assert (nobody.subservice_ids, dict(nobody.found)) == (frozenset(), {})
    with pytest.raises(Rejected):
        await core.oss.devices_of(SubscriberWindow(BENCH_SUBSCRIBER_ID, 0, 0))
    with pytest.raises(Rejected):
        await core.billing.subservice_billing_of(SubscriberWindow(BENCH_SUBSCRIBER_ID, -1, 5))
