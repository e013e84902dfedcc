"""The Wi-Fi and incident reads cost the same number of backend calls for 1, 100 and 500 sub-services: the
devices' Wi-Fi, hosts and tasks are one batch each for the page, and the incidents one batch for the
subscriber (tests/schema/test_backend_calls.py does the same for the dashboard)."""

from __future__ import annotations

from collections.abc import Callable

from sandbox.app import Sandbox
from sandbox.world import BENCH_USER_EMAIL
from tests.harness.portal import MakePortal
from tests.schema.helpers import nodes, subscriber

ROUTERS = """{ viewer { subscriber { subServices(first: 100) { nodes { id devices {
  id manageable wifiNetworks { ssid security } connectedHosts { mac } recentTasks { status }
} } } } } }"""
INCIDENTS = "{ viewer { subscriber { serviceIncidents { reference affectedSubServices { id label } } } } }"


async def _calls(make_portal: MakePortal, sandbox: Sandbox, query: str) -> tuple[dict[str, int], dict]:  # type: ignore[type-arg]
    portal = await (await make_portal(sandbox=sandbox)).sign_in(BENCH_USER_EMAIL)
    before = dict(portal.transport.calls)
    data = await portal.data(query)
    made = {host: n - before.get(host, 0) for host, n in portal.transport.calls.items()}
    return {host: n for host, n in made.items() if n}, data


async def test_routers_of_a_page_cost_one_read_per_kind(
    make_portal: MakePortal, bench_sandbox: Callable[[int], Sandbox]
) -> None:
    counts = {}
    for n in (1, 100, 500):
        sandbox = bench_sandbox(n)
        sandbox.oss.cpe.create_task("DEV-9001-1-1", {"name": "reboot"}, connection_request=True)
        counts[n], data = await _calls(make_portal, sandbox, ROUTERS)
        services = nodes(subscriber(data)["subServices"])
        assert len(services) == min(n, 100)
        assert all(s["devices"][0]["wifiNetworks"] and s["devices"][0]["connectedHosts"] for s in services)
        assert services[0]["devices"][0]["recentTasks"] == [{"status": "PENDING"}]
    assert counts[1] == counts[100] == counts[500], counts
    # CRM: the subscriber and its sub-service list; OSS: devices, parameter trees, tasks.
    assert counts[1] == {"crm.test": 2, "oss.test": 3}


async def test_incidents_cost_one_read_whatever_they_affect(
    make_portal: MakePortal, bench_sandbox: Callable[[int], Sandbox]
) -> None:
    counts = {}
    for n in (1, 100, 500):
        sandbox = bench_sandbox(n)
        sandbox.oss.incidents.open({"kind": "OUTAGE", "title": "Bench Park", "area": "Bench Park"})
        sandbox.oss.incidents.open(
            {"kind": "MAINTENANCE", "title": "First AP", "access_point": "AP-BENCH-01"}
        )
        counts[n], data = await _calls(make_portal, sandbox, INCIDENTS)
        found = subscriber(data)["serviceIncidents"]
        assert [len(i["affectedSubServices"]) for i in found] == [n, min(n, 50)]
    assert counts[1] == counts[100] == counts[500], counts
    # CRM: the subscriber and its sub-service list (the affected ones come from it); OSS: the incidents.
    assert counts[1] == {"crm.test": 2, "oss.test": 1}
