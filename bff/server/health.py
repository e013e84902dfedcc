"""`/healthz` (the process answers) and `/readyz` (it can serve: every backend and Redis reachable)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from redis.exceptions import RedisError
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from bff.core.backends import Probe, probe
from bff.core.services import Services


async def _redis_probe(services: Services, timeout_s: float = 2.0) -> Probe:
    assert services.redis is not None
    try:
        async with asyncio.timeout(timeout_s):
            await services.redis.ping()
    except TimeoutError:
        return Probe("redis", False, "timed out")
    except (RedisError, OSError) as exc:
        return Probe("redis", False, type(exc).__name__)
    return Probe("redis", True, "reachable")


def health_routes(services: Callable[[], Services]) -> list[BaseRoute]:
    async def healthz(_request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"}, headers={"Cache-Control": "no-store"})

    async def readyz(_request: Request) -> JSONResponse:
        current = services()
        checks = [probe(c) for c in current.backends.clients.values()]
        if current.redis is not None:
            checks.append(_redis_probe(current))
        results = await asyncio.gather(*checks)
        ready = all(r.ok for r in results)
        body = {
            "status": "ready" if ready else "unavailable",
            "checks": {r.name: {"ok": r.ok, "detail": r.detail} for r in results},
        }
        return JSONResponse(body, status_code=200 if ready else 503, headers={"Cache-Control": "no-store"})

    return [Route("/healthz", healthz, methods=["GET"]), Route("/readyz", readyz, methods=["GET"])]
