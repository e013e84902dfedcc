"""`/healthz` (the process answers), `/readyz` (THIS instance can serve: Redis reachable when configured, not
draining) and `/healthz/backends` (each backend's reachability and breaker, for dashboards).

Backends are deliberately not part of `/readyz`: every instance reaches the same backends, so a slow Billing
would fail every instance's readiness at once and an orchestrator would pull all of them, turning a partial
outage (the portal answers what the other backends feed) into a total one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from redis.exceptions import RedisError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from adapters.resilience.guard import Guard
from bff.core.backends import Probe, probe
from bff.core.services import Services
from bff.server.drain import Drain
from bff.server.operator import operator_only

REDIS_TIMEOUT_S = 0.5  # shorter than an orchestrator's usual 1 s probe timeout
BACKEND_TIMEOUT_S = 2.0
NO_STORE = {"Cache-Control": "no-store"}


async def _redis_probe(services: Services, timeout_s: float = REDIS_TIMEOUT_S) -> Probe:
    assert services.redis is not None
    try:
        async with asyncio.timeout(timeout_s):
            await services.redis.ping()
    except TimeoutError:
        return Probe("redis", False, "timed out")
    except (RedisError, OSError) as exc:
        return Probe("redis", False, type(exc).__name__)
    return Probe("redis", True, "reachable")


def _guard_state(guard: Guard | None) -> dict[str, object]:
    """This process's breaker state of a backend and its calls in flight and waiting for a slot."""
    if guard is None:
        return {"breaker": "closed"}
    bulkhead = guard.bulkhead
    return {
        "breaker": guard.breaker.state.value,
        "in_flight": bulkhead.in_flight,
        "waiting": bulkhead.waiting,
        "concurrency": bulkhead.limit,
    }


def health_routes(services: Callable[[], Services], drain: Drain) -> list[BaseRoute]:
    async def healthz(_request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"}, headers=NO_STORE)

    async def readyz(_request: Request) -> JSONResponse:
        current = services()
        checks = {
            "draining": {"ok": not drain.draining, "detail": "draining" if drain.draining else "serving"}
        }
        if current.redis is not None:
            redis = await _redis_probe(current)
            checks["redis"] = {"ok": redis.ok, "detail": redis.detail}
        ready = all(c["ok"] for c in checks.values())
        body = {"status": "ready" if ready else "unavailable", "checks": checks}
        return JSONResponse(body, status_code=200 if ready else 503, headers=NO_STORE)

    async def backends(request: Request) -> Response:
        current = services()
        refused = operator_only(request, current.settings)
        if refused is not None:
            return refused
        results = await asyncio.gather(
            *(probe(c, BACKEND_TIMEOUT_S) for c in current.backends.clients.values()),
            *(check(BACKEND_TIMEOUT_S) for check in current.backends.probes.values()),
        )
        guards = current.backends.guards
        body = {
            "backends": {
                r.name: {"reachable": r.ok, "detail": r.detail, **_guard_state(guards.get(r.name))}
                for r in results
            }
        }
        if "gateway" in guards:  # not probed (Stripe has no free endpoint to ask), but guarded all the same
            body["backends"]["gateway"] = _guard_state(guards["gateway"])
        # Always 200: this page reports, it never routes traffic (see the module's docstring).
        return JSONResponse(body, headers=NO_STORE)

    return [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/healthz/backends", backends, methods=["GET"]),
    ]
