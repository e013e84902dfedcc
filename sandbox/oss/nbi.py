"""OSS's ACS seen through GenieACS's northbound interface (NBI), so that the GenieACS adapter can be run against
the sandbox: the same CPE store and task queue (`sandbox.oss.cpe`), shaped as GenieACS shapes them.

- Devices: `_id` "<OUI>-<ProductClass>-<SerialNumber>" (each part %-escaped but for letters, digits and `_`),
  `_deviceId`, `_lastInform`, `_tags` (`sub-<sub-service id>`) and the parameter tree as nested objects whose
  leaves are `{"_value", "_type", "_timestamp", "_writable"}`; passphrases read back empty, as CPEs report them.
- Tasks: ids are ObjectId-like (24 hex digits, the first 8 the creation time); a task that ran is gone from
  `/tasks/`, one that faulted stays, with its fault in `/faults/` (`<device id>:task_<task id>`, code "cwmp.<n>").
- `POST /devices/<id>/tasks`: with a task and no `connection_request`, queued (202); with
  `connection_request` and no task, a connection request (200, or 504 when the CPE is offline); with both, the
  task is queued and, when the CPE is online, its session runs during the call (200 when the task was done,
  202 when it faulted or the CPE is offline). GenieACS's reason phrases ("Task faulted") are not sent: ASGI has none.

Searches support what the adapter asks (GenieACS takes any MongoDB query): one of `_id`, `_tags`, `_deviceId._SerialNumber` (devices) or
`_id`, `device` (tasks, faults), equal to a string or `{"$in": [...]}`; anything else is a 400. Basic auth:
user `nbi`, the service key as password (GenieACS itself has none; operators add it in a proxy).
"""

from __future__ import annotations

import base64
import hmac
import json
import re
import uuid
from collections.abc import Sequence
from typing import Any
from urllib.parse import unquote

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from sandbox.common import clock
from sandbox.common.db import Database, placeholders
from sandbox.common.http import EXCEPTION_HANDLERS, ApiError
from sandbox.oss.cpe import CpeService, read_task

TAG_PREFIX = "sub-"
SERIAL = "_deviceId._SerialNumber"
NBI_USER = "nbi"
MAX_LIMIT = 1000
MAX_IN = 1000
_KEPT = re.compile(r"[A-Za-z0-9_]")
_MAC_PATHS = {
    "TR-181": "Device.Ethernet.Interface.1.MACAddress",
    "TR-098": "InternetGatewayDevice.WANDevice.1.WANConnectionDevice.1.WANIPConnection.1.MACAddress",
}


def _escape(part: str) -> str:
    return "".join(c if _KEPT.fullmatch(c) else "".join(f"%{b:02X}" for b in c.encode()) for c in part)


def nbi_id(row: Any) -> str:
    oui = row["mac"].replace(":", "")[:6]
    return f"{_escape(oui)}-{_escape(row['model'])}-{_escape(row['serial'])}"


def _object_id() -> str:
    return f"{int(clock.now().timestamp()):08x}{uuid.uuid4().hex[:16]}"


def _bad(message: str) -> ApiError:
    return ApiError(400, "INVALID_QUERY", message)


def _wanted(query: dict[str, Any], allowed: tuple[str, ...]) -> tuple[str, list[str]]:
    """The one field a query tests and the values it accepts."""
    if len(query) != 1:
        raise _bad("the sandbox NBI takes queries on exactly one field")
    field, condition = next(iter(query.items()))
    if field not in allowed:
        raise _bad(f"the sandbox NBI queries this collection by {' or '.join(allowed)}")
    if isinstance(condition, str):
        return field, [condition]
    if (
        isinstance(condition, dict)
        and list(condition) == ["$in"]
        and isinstance(condition["$in"], list)
        and len(condition["$in"]) <= MAX_IN
        and all(isinstance(v, str) for v in condition["$in"])
    ):
        return field, condition["$in"]
    raise _bad('a condition is a string or {"$in": [strings]}')


def _typed(value: str, kind: str) -> Any:
    if kind == "xsd:boolean":
        return value in ("true", "1")
    if kind == "xsd:unsignedInt" and value.isdigit():
        return int(value)
    return value


def _insert(doc: dict[str, Any], path: str, leaf: dict[str, Any]) -> None:
    node = doc
    parts = path.split(".")
    for part in parts[:-1]:
        node = node.setdefault(part, {"_object": True})
    node[parts[-1]] = leaf


def _project(doc: dict[str, Any], projection: Sequence[str]) -> dict[str, Any]:
    if not projection:
        return doc
    kept: dict[str, Any] = {"_id": doc["_id"]}
    for path in projection:
        node: Any = doc
        parts = path.split(".")
        for part in parts:
            node = node.get(part) if isinstance(node, dict) else None
        if node is None:
            continue
        target = kept
        for part in parts[:-1]:
            target = target.setdefault(part, {})
        target[parts[-1]] = node
    return kept


class NbiService:
    def __init__(self, db: Database, cpe: CpeService) -> None:
        self.db = db
        self.cpe = cpe

    # --- devices -----------------------------------------------------------------------------------

    def _rows(self, where: str, args: list[Any]) -> list[Any]:
        return self.db.all(
            "SELECT d.*, c.data_model FROM oss_device d JOIN oss_cpe c ON c.device_id = d.id"
            f" WHERE {where} ORDER BY d.id",
            args,
        )

    def _by_nbi_ids(self, ids: list[str]) -> list[Any]:
        serials = [unquote(i.rsplit("-", 1)[-1]) for i in ids]
        if not serials:
            return []
        rows = self._rows(f"d.serial IN ({placeholders(serials)})", serials)
        return [r for r in rows if nbi_id(r) in ids]

    def device_row(self, device_nbi_id: str) -> Any | None:
        found = self._by_nbi_ids([device_nbi_id])
        return found[0] if found else None

    def devices(self, query: dict[str, Any], projection: Sequence[str], limit: int) -> list[dict[str, Any]]:
        field, values = _wanted(query, ("_id", "_tags", SERIAL))
        if field == "_id":
            rows = self._by_nbi_ids(values)
        elif field == SERIAL:
            rows = self._rows(f"d.serial IN ({placeholders(values)})", values) if values else []
        else:
            subservices = [v[len(TAG_PREFIX) :] for v in values if v.startswith(TAG_PREFIX)]
            rows = (
                self._rows(f"d.subservice_id IN ({placeholders(subservices)})", subservices)
                if subservices
                else []
            )
        return [_project(self._document(r), projection) for r in rows[:limit]]

    def _document(self, row: Any) -> dict[str, Any]:
        now = clock.iso(clock.now())
        doc: dict[str, Any] = {
            "_id": nbi_id(row),
            "_deviceId": {
                "_Manufacturer": "WISPGate Sandbox",
                "_OUI": row["mac"].replace(":", "")[:6],
                "_ProductClass": row["model"],
                "_SerialNumber": row["serial"],
            },
            # An online CPE informs periodically: its last inform is (about) now.
            "_lastInform": now if row["online"] else row["last_seen"],
            "_registered": row["last_seen"],
            "_tags": [f"{TAG_PREFIX}{row['subservice_id']}"],
        }
        root = "InternetGatewayDevice" if row["data_model"] == "TR-098" else "Device"
        for param in self.db.all("SELECT * FROM oss_param WHERE device_id = ? ORDER BY name", (row["id"],)):
            value = "" if param["secret"] else param["value"]
            leaf = {
                "_value": _typed(value, param["type"]),
                "_type": param["type"],
                "_timestamp": param["updated_at"],
                "_writable": bool(param["writable"]),
            }
            _insert(doc, param["name"], leaf)
        facts = {
            f"{root}.DeviceInfo.ModelName": row["model"],
            f"{root}.DeviceInfo.SoftwareVersion": row["firmware"],
            _MAC_PATHS[row["data_model"]]: row["mac"],
        }
        for path, value in facts.items():
            _insert(
                doc, path, {"_value": value, "_type": "xsd:string", "_timestamp": now, "_writable": False}
            )
        return doc

    # --- tasks and faults --------------------------------------------------------------------------

    def _task_rows(self, query: dict[str, Any], statuses: tuple[str, ...]) -> list[tuple[Any, str]]:
        field, values = _wanted(query, ("_id", "device"))
        if field == "_id":
            ids = [v.split(":task_", 1)[-1] for v in values]  # a fault's id names its task
            rows = (
                self.db.all(f"SELECT * FROM oss_task WHERE id IN ({placeholders(ids)})", ids) if ids else []
            )
        else:
            devices = {r["id"]: r for r in self._by_nbi_ids(values)}
            keys = list(devices)
            rows = (
                self.db.all(
                    f"SELECT * FROM oss_task WHERE device_id IN ({placeholders(keys)}) ORDER BY seq", keys
                )
                if keys
                else []
            )
        owners = (
            {
                r["id"]: nbi_id(r)
                for r in self._rows(
                    f"d.id IN ({placeholders([t['device_id'] for t in rows])})",
                    [t["device_id"] for t in rows],
                )
            }
            if rows
            else {}
        )
        return [
            (t, owners[t["device_id"]]) for t in rows if t["status"] in statuses and t["device_id"] in owners
        ]

    def tasks(self, query: dict[str, Any], limit: int) -> list[dict[str, Any]]:
        found = []
        for row, device in self._task_rows(query, ("PENDING", "FAULT"))[:limit]:
            request = json.loads(row["request"])
            found.append({"_id": row["id"], **request, "device": device, "timestamp": row["created_at"]})
        return found

    def faults(self, query: dict[str, Any], limit: int) -> list[dict[str, Any]]:
        field, values = _wanted(query, ("_id", "device"))
        found = []
        for row, device in self._task_rows(query, ("FAULT",))[:limit]:
            fault_id = f"{device}:task_{row['id']}"
            if field == "_id" and fault_id not in values:
                continue
            found.append(
                {
                    "_id": fault_id,
                    "device": device,
                    "channel": f"task_{row['id']}",
                    "timestamp": row["updated_at"],
                    "code": f"cwmp.{row['fault_code']}",
                    "message": row["fault_message"] or "",
                    "detail": {"faultCode": row["fault_code"], "faultString": row["fault_message"] or ""},
                    "retries": 0,
                    "provisions": "[]",
                }
            )
        return found

    def delete_task(self, task_id: str) -> bool:
        with self.db.transaction():
            if self.db.one("SELECT 1 FROM oss_task WHERE id = ? AND status != 'DONE'", (task_id,)) is None:
                return False
            self.db.execute("DELETE FROM oss_task WHERE id = ?", (task_id,))
            return True


class BasicAuth:
    """User `nbi`, the service key as password; 401 with a challenge otherwise."""

    def __init__(self, app: ASGIApp, password: str) -> None:
        self.app = app
        self.expected = b"Basic " + base64.b64encode(f"{NBI_USER}:{password}".encode())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            presented = dict(scope.get("headers", [])).get(b"authorization", b"")
            if not hmac.compare_digest(presented, self.expected):
                response = PlainTextResponse(
                    "Unauthorized", 401, headers={"www-authenticate": 'Basic realm="GenieACS NBI"'}
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


class NbiApi:
    def __init__(self, nbi: NbiService) -> None:
        self.nbi = nbi

    @staticmethod
    def _search(request: Request) -> tuple[dict[str, Any], list[str], int]:
        try:
            query = json.loads(request.query_params.get("query") or "{}")
        except ValueError:
            raise _bad("`query` is not JSON") from None
        if not isinstance(query, dict):
            raise _bad("`query` is a JSON object")
        raw = request.query_params.get("projection") or ""
        projection = [p.strip() for p in raw.split(",") if p.strip()][:50]
        limit = request.query_params.get("limit") or str(MAX_LIMIT)
        if not limit.isdigit():
            raise _bad("`limit` is a number")
        return query, projection, min(int(limit), MAX_LIMIT)

    async def devices(self, request: Request) -> Response:
        query, projection, limit = self._search(request)
        return JSONResponse(self.nbi.devices(query, projection, limit))

    async def tasks(self, request: Request) -> Response:
        query, _, limit = self._search(request)
        return JSONResponse(self.nbi.tasks(query, limit))

    async def faults(self, request: Request) -> Response:
        query, _, limit = self._search(request)
        return JSONResponse(self.nbi.faults(query, limit))

    async def post_task(self, request: Request) -> Response:
        # The server has decoded the path once, as GenieACS does: what is left is the device id.
        device_nbi_id = request.path_params["device_id"]
        connection_request = "connection_request" in request.query_params
        raw = await request.body()
        task = None
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                return PlainTextResponse("SyntaxError: the body is not JSON", 400)
            if not isinstance(body, dict):
                return PlainTextResponse("the body is a task object", 400)
            task = read_task(body)
        if task is None and not connection_request:
            return Response(status_code=400)
        row = self.nbi.device_row(device_nbi_id)
        if row is None:
            return PlainTextResponse("No such device", 404)
        cpe = self.nbi.cpe
        if task is None:
            if not row["online"]:
                return PlainTextResponse("Device is offline", 504)
            cpe.came_online(row["id"])  # the CPE opens a session: its queued tasks run
            return Response(status_code=200)
        task_id = _object_id()
        created = cpe.create_task(row["id"], task, connection_request, task_id=task_id)
        stored = {**task, "device": device_nbi_id, "timestamp": created["created_at"], "_id": task_id}
        if not connection_request or not row["online"]:
            return JSONResponse(stored, 202)
        cpe.session(row["id"])  # the session the connection request opened, during the call
        return JSONResponse(stored, 200 if cpe.task(task_id)["status"] == "DONE" else 202)

    async def delete_task(self, request: Request) -> Response:
        if not self.nbi.delete_task(request.path_params["task_id"]):
            return PlainTextResponse("Task not found", 404)
        return Response(status_code=200)

    def app(self, password: str) -> Starlette:
        return Starlette(
            routes=[
                Route("/devices/", self.devices, methods=["GET"]),
                Route("/devices/{device_id:path}/tasks", self.post_task, methods=["POST"]),
                Route("/tasks/", self.tasks, methods=["GET"]),
                Route("/tasks/{task_id}", self.delete_task, methods=["DELETE"]),
                Route("/faults/", self.faults, methods=["GET"]),
            ],
            middleware=[Middleware(BasicAuth, password=password)],
            exception_handlers=EXCEPTION_HANDLERS,
        )
