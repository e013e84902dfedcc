"""The operator console: one HTML page at the sandbox root, acting as the ISP's staff through the documented
operator API (`/<system>/v1/ops/…`). The sandbox is a development tool, so the page is handed the operator key;
a production core would sit behind the operator's own staff login instead."""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from adapters.wispgate.contract import CONTRACT

if TYPE_CHECKING:
    from sandbox.app import Sandbox

PAGE = Path(__file__).with_name("console.html")


def console_routes(sandbox: Sandbox) -> list[BaseRoute]:
    async def page(_request: Request) -> Response:
        config = {
            "operatorKey": sandbox.settings.operator_key,
            "subscribers": [{"id": s.id, "name": s.name, "kind": s.kind} for s in sandbox.world.subscribers],
        }
        body = PAGE.read_text().replace("__CONFIG__", html.escape(json.dumps(config), quote=True))
        return HTMLResponse(body, headers={"cache-control": "no-store", "x-frame-options": "DENY"})

    async def contract(_request: Request) -> Response:
        return Response(CONTRACT.read_text(), media_type="application/yaml")

    return [Route("/", page, methods=["GET"]), Route("/openapi.yaml", contract, methods=["GET"])]
