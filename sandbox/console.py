"""The operator console: one HTML page at the sandbox root, acting as the ISP's staff through the documented
operator API (`/<system>/v1/ops/…`). The sandbox is a development tool, so the page is handed the operator key;
a production core would sit behind the operator's own staff login instead."""

from __future__ import annotations

import html
import json
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from adapters.wispgate.contract import CONTRACT
from sandbox.world import World

PAGE = Path(__file__).with_name("console.html")


def console_routes(operator_key: str, world: World) -> list[BaseRoute]:
    """The page knows only what it shows: the operator key it calls the systems with and the seeded
    subscribers it offers in its pickers; everything else it reads through the operator API."""

    async def page(_request: Request) -> Response:
        config = {
            "operatorKey": operator_key,
            "subscribers": [{"id": s.id, "name": s.name, "kind": s.kind} for s in world.subscribers],
        }
        body = PAGE.read_text().replace("__CONFIG__", html.escape(json.dumps(config), quote=True))
        return HTMLResponse(body, headers={"cache-control": "no-store", "x-frame-options": "DENY"})

    async def contract(_request: Request) -> Response:
        return Response(CONTRACT.read_text(), media_type="application/yaml")

    return [Route("/", page, methods=["GET"]), Route("/openapi.yaml", contract, methods=["GET"])]
