"""CRM responses with real data (uploads, replies, notifications — which generated inputs rarely reach), validated
against their operations in the contract. The whole sandbox is fuzzed in test_contract.py."""

from __future__ import annotations

import copy
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import schemathesis
import yaml
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from adapters.wispgate import contract
from sandbox.common.system import SystemConfig
from sandbox.crm.system import CrmSystem
from sandbox.world import demo_world

pytestmark = pytest.mark.contract

SYSTEM = "crm"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def fragment_contract(system: str) -> dict[str, Any]:
    """base.yaml plus this system's fragment and shared event routes, unprefixed (the app is mounted at /)."""
    raw: dict[str, Any] = yaml.safe_load((contract.FRAGMENTS / "base.yaml").read_text())
    fragment = yaml.safe_load((contract.FRAGMENTS / f"{system}.yaml").read_text())
    raw["servers"] = [{"url": f"http://{system}.test"}]
    raw["paths"] = {
        **fragment["paths"],
        **{p: contract._templated(copy.deepcopy(i), system) for p, i in contract._EVENT_PATHS.items()},
    }
    raw["components"]["schemas"].update(fragment["components"]["schemas"])
    return raw


_tmp = tempfile.TemporaryDirectory(prefix="crm-contract-")
_system = CrmSystem(
    SystemConfig(db_path=str(Path(_tmp.name) / "crm.sqlite3")), attachments_dir=Path(_tmp.name) / "files"
)
_system.seed(demo_world(date(2026, 11, 25)))
schema = schemathesis.openapi.from_dict(fragment_contract(SYSTEM))
schema.app = _system.asgi()


PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
)


async def test_real_responses_conform(tmp_path: Path) -> None:
    """Responses with real data (which random inputs rarely reach) validated against their operations."""
    import httpx

    crm = CrmSystem(SystemConfig(db_path=str(tmp_path / "crm.sqlite3")), attachments_dir=tmp_path / "files")
    crm.seed(demo_world(date(2026, 11, 25)))
    ops = {"x-api-key": crm.config.operator_key}
    transport = httpx.ASGITransport(app=crm.asgi())
    async with httpx.AsyncClient(
        transport=transport, base_url="http://crm.test", headers={"x-api-key": crm.config.service_key}
    ) as client:

        async def check(path: str, method: str, response: httpx.Response, status: int) -> None:
            assert response.status_code == status, response.text
            response.request.read()  # multipart bodies stream; schemathesis reads the request back
            schema[path][method].validate_response(response)

        upload = await client.post(
            "/v1/tickets/TCK-4/attachments",
            files={"file": ("shot.png", PNG, "image/png")},
            data={"message_id": "MSG-6"},
        )
        await check("/v1/tickets/{ticket_id}/attachments", "POST", upload, 201)
        download = await client.get(f"/v1/attachments/{upload.json()['id']}")
        await check("/v1/attachments/{attachment_id}", "GET", download, 200)
        too_big = await client.post(
            "/v1/tickets/TCK-4/attachments",
            files={"file": ("a.txt", b"a" * (10 * 1024 * 1024 + 1), "text/plain")},
        )
        await check("/v1/tickets/{ticket_id}/attachments", "POST", too_big, 413)
        reply = await client.post(
            "/v1/ops/tickets/TCK-3/reply", json={"agent_name": "Eve", "body": "On it"}, headers=ops
        )
        await check("/v1/ops/tickets/{ticket_id}/reply", "POST", reply, 201)
        await check("/v1/ops/tickets", "GET", await client.get("/v1/ops/tickets", headers=ops), 200)
        await check("/v1/ops/emails", "GET", await client.get("/v1/ops/emails", headers=ops), 200)
        notes = await client.get(
            "/v1/subscribers/SUB-2001/notifications", params={"user_id": "USR-24", "limit": 1}
        )
        await check("/v1/subscribers/{subscriber_id}/notifications", "GET", notes, 200)
        tickets = await client.get("/v1/subscribers/SUB-1001/tickets", params={"limit": 1})
        await check("/v1/subscribers/{subscriber_id}/tickets", "GET", tickets, 200)
        batch = await client.post(
            "/v1/tickets:batch", json={"ids": ["TCK-1", "TCK-2", "TCK-3", "TCK-4", "TCK-5"]}
        )
        await check("/v1/tickets:batch", "POST", batch, 200)
        login = await client.post(
            "/v1/auth/verify", json={"email": "ana@lima.example", "password": "wispgate-demo"}
        )
        await check("/v1/auth/verify", "POST", login, 200)
        closed = await client.post(
            "/v1/tickets/TCK-5/messages", json={"author_user_id": "USR-20", "body": "hi"}
        )
        await check("/v1/tickets/{ticket_id}/messages", "POST", closed, 409)
        page = await client.get("/v1/subscribers/SUB-3001/subservices", params={"limit": 10})
        await check("/v1/subscribers/{subscriber_id}/subservices", "GET", page, 200)
    crm.db.close()
