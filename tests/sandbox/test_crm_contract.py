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


async def test_real_account_responses_conform(tmp_path: Path) -> None:
    """A user's credentials, second factor, devices and team, with real data, against their operations."""
    import re

    import httpx
    import pyotp

    crm = CrmSystem(SystemConfig(db_path=str(tmp_path / "crm.sqlite3")), attachments_dir=tmp_path / "files")
    crm.seed(demo_world(date(2026, 11, 25)))
    transport = httpx.ASGITransport(app=crm.asgi())
    async with httpx.AsyncClient(
        transport=transport, base_url="http://crm.test", headers={"x-api-key": crm.config.service_key}
    ) as client:

        async def check(path: str, response: httpx.Response, status: int) -> httpx.Response:
            assert response.status_code == status, response.text
            schema[path]["POST"].validate_response(response)
            return response

        link = "http://portal.test/reset-password"
        new = "a-much-better-passphrase"
        body = {"current_password": "wispgate-demo", "new_password": new}
        await check(
            "/v1/users/{user_id}/password", await client.post("/v1/users/USR-1/password", json=body), 200
        )
        asked = await client.post("/v1/auth/password-reset", json={"email": "ana@lima.example", "link": link})
        await check("/v1/auth/password-reset", asked, 202)
        found = re.search(r"token=(\S+)", crm.emails(1)[0]["body"])
        assert found
        done = await client.post(
            "/v1/auth/password-reset/complete", json={"token": found.group(1), "new_password": new + "!"}
        )
        await check("/v1/auth/password-reset/complete", done, 200)
        begun = await check("/v1/users/{user_id}/totp", await client.post("/v1/users/USR-1/totp"), 200)
        totp = pyotp.TOTP(begun.json()["secret"])
        confirm = await client.post("/v1/users/USR-1/totp/confirm", json={"code": totp.now()})
        codes = (await check("/v1/users/{user_id}/totp/confirm", confirm, 200)).json()["recovery_codes"]
        verify = await client.post("/v1/users/USR-1/totp/verify", json={"recovery_code": codes[0]})
        await check("/v1/users/{user_id}/totp/verify", verify, 200)
        off = await client.post("/v1/users/USR-1/totp/disable", json={"password": new + "!"})
        await check("/v1/users/{user_id}/totp/disable", off, 200)
        seen = await client.post(
            "/v1/users/USR-1/devices", json={"device_key": "Chrome|1.2.3.4", "label": "Chrome"}
        )
        await check("/v1/users/{user_id}/devices", seen, 200)
        invite = {
            "email": "x@northwind.example",
            "role": "SITE",
            "site_ids": ["SS-2001-1"],
            "invited_by": "USR-20",
        }
        created = await client.post("/v1/subscribers/SUB-2001/invitations", json={**invite, "link": link})
        user_id = (await check("/v1/subscribers/{subscriber_id}/invitations", created, 201)).json()["id"]
        role = await client.post(f"/v1/users/{user_id}/role", json={"role": "VIEWER"})
        await check("/v1/users/{user_id}/role", role, 200)
        disabled = await client.post(f"/v1/users/{user_id}/disabled", json={"disabled": True})
        await check("/v1/users/{user_id}/disabled", disabled, 200)
        await check("/v1/users/{user_id}/remove", await client.post(f"/v1/users/{user_id}/remove"), 200)
    crm.db.close()
