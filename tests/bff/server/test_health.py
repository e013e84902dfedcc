"""`/readyz` says whether THIS instance can serve (Redis reachable when configured, not draining) and ignores
the backends; `/healthz/backends` reports each backend's reachability and breaker for dashboards; both
operator endpoints are closed in production unless the metrics token is presented."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from tests.harness.faultproxy import FaultProxy, Mode
from tests.harness.portal import Portal, portal_settings
from tests.harness.transport import DispatchTransport

TOKEN = "metrics-token-0123456789abcdef-0123456789"


@pytest.fixture
def redis_proxy(redis_url: str) -> Iterator[FaultProxy]:
    """A fault proxy in front of the test Redis: Redis "goes down" for this test's app only."""
    parsed = urlparse(redis_url)
    proxy = FaultProxy(parsed.hostname or "127.0.0.1", parsed.port or 6379).start()
    yield proxy
    proxy.stop()


async def test_readyz_stays_ready_when_a_backend_is_down(
    portal: Portal, transport: DispatchTransport
) -> None:
    transport.down.add("aaa.test")
    transport.down.add("billing.test")
    before = dict(transport.calls)

    response = await portal.client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": {"draining": {"ok": True, "detail": "serving"}}}
    assert transport.calls == before  # no backend was even asked


async def test_readyz_fails_while_draining_and_the_instance_still_serves(portal: Portal) -> None:
    assert portal.app is not None
    portal.app.state.drain.begin()

    ready = await portal.client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["checks"]["draining"] == {"ok": False, "detail": "draining"}
    # Draining only tells the load balancer to stop sending: what still arrives is served.
    assert (await portal.client.get("/healthz")).status_code == 200
    assert (await portal.data("{ __typename }")) == {"__typename": "Query"}


async def test_readyz_follows_redis(redis_proxy: FaultProxy, make_portal: Any, tmp_path: Path) -> None:
    # The proxy first, so that it outlives the app (and its Redis connections) at teardown.
    prefix = f"test:{secrets.token_hex(6)}:"
    url = f"redis://127.0.0.1:{redis_proxy.port}/0"
    portal: Portal = await make_portal(portal_settings(tmp_path, REDIS_URL=url, REDIS_PREFIX=prefix))
    ready = await portal.client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"]["redis"] == {"ok": True, "detail": "reachable"}

    redis_proxy.set(Mode.REFUSE)
    down = await portal.client.get("/readyz")
    assert down.status_code == 503
    assert down.json()["status"] == "unavailable" and down.json()["checks"]["redis"]["ok"] is False

    redis_proxy.set(Mode.HANG)
    stuck = await portal.client.get("/readyz")
    assert stuck.status_code == 503 and stuck.json()["checks"]["redis"]["detail"] == "timed out"

    redis_proxy.set(Mode.PASS)
    again = await portal.client.get("/readyz")
    assert again.status_code == 200


async def test_backends_health_reports_reachability_and_breakers(
    portal: Portal, transport: DispatchTransport
) -> None:
    assert portal.app is not None
    transport.down.add("aaa.test")
    billing = portal.app.state.backends.guards["billing"].breaker
    for _ in range(billing.policy.failures):
        billing.failed(probe=False)

    response = await portal.client.get("/healthz/backends")

    assert response.status_code == 200  # a report, never a routing signal
    backends = response.json()["backends"]
    assert set(backends) == {"billing", "crm", "aaa", "oss", "gateway"}
    assert backends["aaa"]["reachable"] is False
    assert backends["crm"] == {
        "reachable": True,
        "detail": "reachable",
        "breaker": "closed",
        "in_flight": 0,
        "waiting": 0,
        "concurrency": 32,
    }
    # The probe goes around the breaker: it says the backend answers again while the breaker is open.
    assert backends["billing"]["breaker"] == "open" and backends["billing"]["reachable"] is True
    assert backends["gateway"]["breaker"] == "closed"


async def test_backends_health_reports_a_refused_api_key(make_portal: Any, tmp_path: Path) -> None:
    portal: Portal = await make_portal(portal_settings(tmp_path, OSS_API_KEY="wrong-key"))
    response = await portal.client.get("/healthz/backends")
    assert response.status_code == 200
    oss = response.json()["backends"]["oss"]
    assert oss["reachable"] is False and "API key" in oss["detail"]


@pytest.mark.parametrize("path", ["/metrics", "/healthz/backends"])
async def test_operator_endpoints_are_closed_in_production_without_a_token(
    make_portal: Any, tmp_path: Path, path: str
) -> None:
    portal: Portal = await make_portal(portal_settings(tmp_path, WISPGATE_ENV="production"))
    assert (await portal.client.get(path)).status_code == 404
    assert (await portal.client.get("/readyz")).status_code == 200


@pytest.mark.parametrize("path", ["/metrics", "/healthz/backends"])
async def test_operator_endpoints_want_the_metrics_token(make_portal: Any, tmp_path: Path, path: str) -> None:
    portal: Portal = await make_portal(
        portal_settings(tmp_path, WISPGATE_ENV="production", METRICS_TOKEN=TOKEN)
    )
    assert (await portal.client.get(path)).status_code == 401
    wrong = await portal.client.get(path, headers={"Authorization": f"Bearer {TOKEN[:-1]}x"})
    assert wrong.status_code == 401
    right = await portal.client.get(path, headers={"Authorization": f"Bearer {TOKEN}"})
    assert right.status_code == 200
