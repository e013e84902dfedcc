"""The ACS side of OSS: reading the CPEs' parameter trees, queueing tasks and running them in CWMP sessions.

A task is posted for one device (`create_task`); with a connection request and the CPE online, its session
starts after `latency_s` (what a real CPE takes to call back); offline, the task waits for the CPE's next
contact (the operator bringing it online, or `inform`). A session runs the device's pending tasks in order.
`setParameterValues` is atomic, as in CWMP: every name must exist and be writable (fault 9005) and every
value valid for its parameter (9007), or nothing changes. Each change of a task's status is an outbound
`device.task_changed` event, which never carries a value.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sandbox.common import clock
from sandbox.common.db import Database, placeholders
from sandbox.common.events import EventOutbox
from sandbox.common.http import invalid, not_found
from sandbox.oss.cpe_store import param_item, task_item

TASK_NAMES = ("setParameterValues", "reboot", "refreshObject")
VALUE_TYPES = ("xsd:string", "xsd:boolean", "xsd:unsignedInt", "xsd:hexBinary")
MAX_VALUES = 20
MAX_NAME = 256
MAX_VALUE = 256
RECENT_TASKS = 5
PERIODIC_INFORM = timedelta(minutes=5)  # without a connection request, the CPE's next periodic contact

_HEX64 = re.compile(r"[0-9A-Fa-f]{64}")
_PRINTABLE = re.compile(r"[\x20-\x7e]*")


def _value_error(name: str, value: str, current: dict[str, Any]) -> str | None:
    """Why a CPE refuses `value` for parameter `name` (fault 9007), or None."""
    leaf = name.rsplit(".", 1)[-1]
    kind = current["type"]
    if kind == "xsd:boolean" and value not in ("true", "false", "1", "0"):
        return f"{leaf} takes true or false"
    if kind == "xsd:unsignedInt" and not value.isdigit():
        return f"{leaf} takes an unsigned integer"
    if leaf == "SSID" and not 1 <= len(value.encode()) <= 32:
        return "an SSID is 1 to 32 bytes"
    if leaf in ("KeyPassphrase", "SAEPassphrase") and (
        not 8 <= len(value) <= 63 or not _PRINTABLE.fullmatch(value)
    ):
        return f"{leaf} is 8 to 63 printable ASCII characters"
    if leaf == "PreSharedKey" and not _HEX64.fullmatch(value):
        return "PreSharedKey is 64 hexadecimal digits"
    if leaf == "ModeEnabled" and value not in current.get("supported", ()):
        return f"ModeEnabled must be one of {', '.join(current.get('supported', ()))}"
    if leaf == "BeaconType" and value not in ("None", "Basic", "WPA", "11i", "WPAand11i"):
        return "BeaconType must be None, Basic, WPA, 11i or WPAand11i"
    return None


def read_task(body: dict[str, Any]) -> dict[str, Any]:
    """A posted task, checked for shape (422 INVALID_TASK); values are checked by the CPE when it runs."""
    name = body.get("name")
    if name not in TASK_NAMES:
        raise invalid(f"`name` must be one of {', '.join(TASK_NAMES)}", "INVALID_TASK")
    if name == "reboot":
        return {"name": name}
    if name == "refreshObject":
        obj = body.get("objectName")
        if not isinstance(obj, str) or not 1 <= len(obj) <= MAX_NAME or not obj.endswith("."):
            raise invalid("`objectName` must be a parameter path ending in '.'", "INVALID_TASK")
        return {"name": name, "objectName": obj}
    values = body.get("parameterValues")
    if not isinstance(values, list) or not 1 <= len(values) <= MAX_VALUES:
        raise invalid(f"`parameterValues` must list 1 to {MAX_VALUES} values", "INVALID_TASK")
    checked = []
    for entry in values:
        if (
            not isinstance(entry, list)
            or len(entry) not in (2, 3)
            or not isinstance(entry[0], str)
            or not 1 <= len(entry[0]) <= MAX_NAME
            or isinstance(entry[1], float)
            or not isinstance(entry[1], (str, bool, int))
            or (len(entry) == 3 and entry[2] not in VALUE_TYPES)
        ):
            raise invalid("each of `parameterValues` is [name, value] or [name, value, type]", "INVALID_TASK")
        value = entry[1]
        text = ("true" if value else "false") if isinstance(value, bool) else str(value)
        if len(text) > MAX_VALUE:
            raise invalid(f"a value is at most {MAX_VALUE} characters", "INVALID_TASK")
        checked.append([entry[0], text])
    if len({n for n, _ in checked}) != len(checked):
        raise invalid("a parameter is set at most once per task", "INVALID_TASK")
    return {"name": name, "parameterValues": checked}


class CpeService:
    def __init__(self, db: Database, outbox: EventOutbox, latency_s: float = 1.0) -> None:
        self.db = db
        self.outbox = outbox
        self.latency_s = latency_s
        # Whether a task may be pending: the session loop asks the database only then (an idle sandbox,
        # as in most tests, costs its other systems nothing). True at start: tasks may survive a restart.
        self.maybe_pending = True

    def _device(self, device_id: str) -> Any:
        row = self.db.one(
            "SELECT d.id, d.subservice_id, d.online, s.subscriber_id, c.data_model, c.rejects_tasks"
            " FROM oss_device d JOIN oss_subservice s ON s.id = d.subservice_id"
            " LEFT JOIN oss_cpe c ON c.device_id = d.id WHERE d.id = ?",
            (device_id,),
        )
        if row is None or row["data_model"] is None:
            raise not_found("device")
        return row

    # --- reads -------------------------------------------------------------------------------------

    def parameters_for(self, device_ids: Sequence[str], prefixes: Sequence[str] = ()) -> list[dict[str, Any]]:
        if not device_ids:
            return []
        cpes = self.db.all(
            f"SELECT device_id, data_model FROM oss_cpe WHERE device_id IN ({placeholders(device_ids)})"
            " ORDER BY device_id",
            list(device_ids),
        )
        rows = self.db.all(
            f"SELECT * FROM oss_param WHERE device_id IN ({placeholders(device_ids)}) ORDER BY device_id, name",
            list(device_ids),
        )
        grouped: dict[str, list[dict[str, Any]]] = {c["device_id"]: [] for c in cpes}
        for r in rows:
            if not prefixes or any(r["name"].startswith(p) for p in prefixes):
                grouped[r["device_id"]].append(param_item(r))
        return [
            {
                "device_id": c["device_id"],
                "data_model": c["data_model"],
                "parameters": grouped[c["device_id"]],
            }
            for c in cpes
        ]

    def task(self, task_id: str) -> dict[str, Any]:
        row = self.db.one(
            "SELECT t.*, d.subservice_id FROM oss_task t JOIN oss_device d ON d.id = t.device_id WHERE t.id = ?",
            (task_id,),
        )
        if row is None:
            raise not_found("task")
        return task_item(row, row["subservice_id"])

    def tasks_for(self, device_ids: Sequence[str]) -> list[dict[str, Any]]:
        """The latest RECENT_TASKS tasks of each device, newest first."""
        if not device_ids:
            return []
        rows = self.db.all(
            "SELECT * FROM (SELECT t.*, d.subservice_id, ROW_NUMBER() OVER"
            " (PARTITION BY t.device_id ORDER BY t.seq DESC) AS rank FROM oss_task t"
            f" JOIN oss_device d ON d.id = t.device_id WHERE t.device_id IN ({placeholders(device_ids)}))"
            " WHERE rank <= ? ORDER BY device_id, seq DESC",
            [*device_ids, RECENT_TASKS],
        )
        return [task_item(r, r["subservice_id"]) for r in rows]

    # --- tasks -------------------------------------------------------------------------------------

    def create_task(
        self, device_id: str, task: dict[str, Any], connection_request: bool, task_id: str | None = None
    ) -> dict[str, Any]:
        """`task_id`: the id to give it (the NBI surface's ObjectId-like ids); by default a `TSK-…` id."""
        now = clock.now()
        with self.db.transaction():
            device = self._device(device_id)
            if not device["online"]:
                due = None
            elif connection_request:
                due = now + timedelta(seconds=self.latency_s)
            else:
                due = now + PERIODIC_INFORM
            task_id = task_id or f"TSK-{uuid.uuid4().hex[:16]}"
            seq = int(self.db.scalar("SELECT COALESCE(MAX(seq), 0) + 1 FROM oss_task"))
            self.db.execute(
                "INSERT INTO oss_task (id, seq, device_id, name, request, status, due_at, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, 'PENDING', ?, ?, ?)",
                (
                    task_id,
                    seq,
                    device_id,
                    task["name"],
                    json.dumps(task),
                    clock.iso(due) if due else None,
                    clock.iso(now),
                    clock.iso(now),
                ),
            )
            created = self.task(task_id)
            self._emit(device, created)
            self.maybe_pending = True
            return created

    def _emit(self, device: Any, task: dict[str, Any]) -> None:
        self.outbox.emit(
            "device.task_changed",
            subscriber_id=device["subscriber_id"],
            subservice_id=device["subservice_id"],
            data={"task_id": task["id"], "device_id": task["device_id"], "status": task["status"]},
        )

    def came_online(self, device_id: str) -> None:
        """The CPE is back (its BOOT inform): its queued tasks run now."""
        self.db.execute(
            "UPDATE oss_task SET due_at = ? WHERE device_id = ? AND status = 'PENDING'",
            (clock.iso(clock.now()), device_id),
        )
        self.maybe_pending = True

    def rejects(self, device_id: str) -> bool:
        return bool(self._device(device_id)["rejects_tasks"])

    def set_rejects_tasks(self, device_id: str, rejects: bool) -> None:
        self._device(device_id)
        self.db.execute("UPDATE oss_cpe SET rejects_tasks = ? WHERE device_id = ?", (int(rejects), device_id))

    def run_due(self) -> int:
        """Run the sessions that are due (online CPEs with a pending task whose time has come); how many
        tasks ran."""
        if not self.maybe_pending:
            return 0
        if self.db.scalar("SELECT 1 FROM oss_task WHERE status = 'PENDING' LIMIT 1") is None:
            self.maybe_pending = False
            return 0
        now = clock.iso(clock.now())
        due = self.db.all(
            "SELECT DISTINCT t.device_id FROM oss_task t JOIN oss_device d ON d.id = t.device_id"
            " WHERE t.status = 'PENDING' AND t.due_at IS NOT NULL AND t.due_at <= ? AND d.online = 1",
            (now,),
        )
        return sum(self.session(r["device_id"]) for r in due)

    def session(self, device_id: str) -> int:
        """One CWMP session of the device: its pending tasks, oldest first. An offline CPE has none."""
        ran = 0
        with self.db.transaction():
            device = self._device(device_id)
            if not device["online"]:
                return 0
            pending = self.db.all(
                "SELECT * FROM oss_task WHERE device_id = ? AND status = 'PENDING' ORDER BY seq", (device_id,)
            )
            for row in pending:
                self._run(device, row)
                ran += 1
        return ran

    def _run(self, device: Any, row: Any) -> None:
        request = json.loads(row["request"])
        fault = ("9002", "Internal error") if device["rejects_tasks"] else None
        now = clock.iso(clock.now())
        if fault is None and row["name"] == "setParameterValues":
            fault = self._set_values(device["id"], request["parameterValues"], now)
        elif fault is None and row["name"] == "reboot":
            self.db.execute("UPDATE oss_cpe SET booted_at = ? WHERE device_id = ?", (now, device["id"]))
            self.db.execute("UPDATE oss_device SET last_seen = ? WHERE id = ?", (now, device["id"]))
        elif fault is None:
            prefix = request["objectName"]
            self.db.execute(
                "UPDATE oss_param SET updated_at = ? WHERE device_id = ? AND substr(name, 1, ?) = ?",
                (now, device["id"], len(prefix), prefix),
            )
        # Values are forgotten once the task has run: a passphrase lives no longer than it must.
        if "parameterValues" in request:
            request["parameterValues"] = [[n, None] for n, _ in request["parameterValues"]]
        self.db.execute(
            "UPDATE oss_task SET status = ?, fault_code = ?, fault_message = ?, request = ?, updated_at = ?"
            " WHERE id = ?",
            (
                "FAULT" if fault else "DONE",
                fault[0] if fault else None,
                fault[1] if fault else None,
                json.dumps(request),
                now,
                row["id"],
            ),
        )
        self._emit(device, self.task(row["id"]))

    def _set_values(self, device_id: str, values: list[list[str]], now: str | None) -> tuple[str, str] | None:
        names = [n for n, _ in values]
        rows = {
            r["name"]: dict(r)
            for r in self.db.all(
                f"SELECT * FROM oss_param WHERE device_id = ? AND name IN ({placeholders(names)})",
                [device_id, *names],
            )
        }
        for name, value in values:
            current = rows.get(name)
            if current is None or not current["writable"]:
                return "9005", f"Invalid parameter name: {name}"
            if name.endswith("Security.ModeEnabled"):
                supported = self.db.scalar(
                    "SELECT value FROM oss_param WHERE device_id = ? AND name = ?",
                    (device_id, name.replace("ModeEnabled", "ModesSupported")),
                )
                current["supported"] = tuple((supported or "").split(","))
            problem = _value_error(name, value, current)
            if problem is not None:
                return "9007", f"Invalid parameter value: {problem}"
        for name, value in values:
            self.db.execute(
                "UPDATE oss_param SET value = ?, updated_at = ? WHERE device_id = ? AND name = ?",
                (value, now, device_id, name),
            )
        return None
