"""The operator's endpoints: `/metrics` (Prometheus) here, `/healthz/backends` in `health`; both guarded the
same way.

They are not for the public: `/metrics` names operations and backends and shows error rates. With
`METRICS_TOKEN` set, both want `Authorization: Bearer <token>` (Prometheus's `authorization` /
`bearer_token` setting); without it they are open in development and not served at all (404) in production.
A token rather than a second port: with `--workers N` the workers share one listening socket, and a port of
each worker's own could not report the whole instance.
"""

from __future__ import annotations

import hmac

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bff.core.auth.cookies import bearer_token
from bff.core.metrics import CONTENT_TYPE, Metrics
from bff.core.settings import Settings


def operator_only(request: Request, settings: Settings) -> Response | None:
    """None when the request may read an operator endpoint, else the answer that refuses it."""
    if settings.metrics_open:
        return None
    if not settings.metrics_token:
        return Response(status_code=404)
    presented = bearer_token(request.headers) or ""
    if hmac.compare_digest(presented.encode(), settings.metrics_token.encode()):
        return None
    return JSONResponse(
        {"error": {"code": "UNAUTHENTICATED", "message": "This endpoint needs the metrics bearer token."}},
        status_code=401,
        headers={"WWW-Authenticate": "Bearer"},
    )


def operator_routes(metrics: Metrics, settings: Settings) -> list[BaseRoute]:
    async def scrape(request: Request) -> Response:
        refused = operator_only(request, settings)
        if refused is not None:
            return refused
        return Response(metrics.exposition(), media_type=CONTENT_TYPE, headers={"Cache-Control": "no-store"})

    return [Route("/metrics", scrape, methods=["GET"])]
