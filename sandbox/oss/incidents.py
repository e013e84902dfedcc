"""Network incidents: an outage or planned maintenance on an area or one access point, and the sub-services
it affects (every sub-service hangs off one access point, in one area).

The operator opens an incident (now, or planned ahead with a start) with an estimate of when service is
back, and resolves it. Each change is an outbound `incident.changed` event per affected subscriber (naming
the affected sub-services), and each affected subscriber is told through portal notifications (the CRM, a
peer in one process: `sandbox.app.CrmNotifier`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from sandbox.common import clock
from sandbox.common.db import Database, placeholders
from sandbox.common.events import EventOutbox
from sandbox.common.http import conflict, invalid, not_found

INCIDENT_KINDS = ("OUTAGE", "MAINTENANCE")
MAX_TITLE = 120
MAX_MESSAGE = 1000

SCHEMA = """
CREATE TABLE IF NOT EXISTS oss_incident (
    id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,                 -- OUTAGE | MAINTENANCE
    title TEXT NOT NULL,
    message TEXT NOT NULL,
    area TEXT,                          -- exactly one of area and access_point
    access_point TEXT,
    status TEXT NOT NULL,               -- OPEN | RESOLVED
    starts_at TEXT NOT NULL,
    estimated_end TEXT,
    resolved_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
"""


class Notifier(Protocol):
    def notify(self, subscriber_id: str, subservice_ids: list[str], title: str, body: str) -> None:
        """Tell a subscriber about an incident affecting these of its sub-services."""
        ...


def incident_item(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "kind": row["kind"],
        "title": row["title"],
        "message": row["message"],
        "area": row["area"],
        "access_point": row["access_point"],
        "status": row["status"],
        "starts_at": row["starts_at"],
        "estimated_end": row["estimated_end"],
        "resolved_at": row["resolved_at"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


def _moment(raw: object, key: str) -> datetime | None:
    if raw is None:
        return None
    if not isinstance(raw, str) or len(raw) > 40:
        raise invalid(f"`{key}` must be a date-time with an offset")
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise invalid(f"`{key}` must be a date-time with an offset") from None
    if value.tzinfo is None:
        raise invalid(f"`{key}` must be a date-time with an offset")
    return value


class IncidentService:
    def __init__(self, db: Database, outbox: EventOutbox) -> None:
        self.db = db
        self.outbox = outbox
        self.notifier: Notifier | None = None  # the CRM, when the systems run in one process

    # --- reads -------------------------------------------------------------------------------------

    def sites(self) -> list[dict[str, Any]]:
        rows = self.db.all(
            "SELECT area, access_point, COUNT(*) AS n FROM oss_subservice GROUP BY area, access_point"
            " ORDER BY area, access_point"
        )
        return [{"area": r["area"], "access_point": r["access_point"], "subservices": r["n"]} for r in rows]

    def incident(self, incident_id: str) -> dict[str, Any]:
        row = self.db.one("SELECT * FROM oss_incident WHERE id = ?", (incident_id,))
        if row is None:
            raise not_found("incident")
        return incident_item(row)

    def listed(self, status: str | None = None) -> list[dict[str, Any]]:
        sql, params = "SELECT * FROM oss_incident", []
        if status is not None:
            sql, params = sql + " WHERE status = ?", [status]
        rows = self.db.all(sql + " ORDER BY seq DESC LIMIT 200", params)
        items = []
        for r in rows:
            item = incident_item(r)
            item["affected_subservices"] = len(self._affected(r))
            items.append(item)
        return items

    def incidents_for(self, subservice_ids: Sequence[str]) -> list[dict[str, Any]]:
        """Open incidents affecting any of the sub-services, each with those of them it affects."""
        if not subservice_ids:
            return []
        sites = self.db.all(
            f"SELECT id, area, access_point FROM oss_subservice WHERE id IN ({placeholders(subservice_ids)})",
            list(subservice_ids),
        )
        rows = self.db.all("SELECT * FROM oss_incident WHERE status = 'OPEN' ORDER BY starts_at, seq")
        items = []
        for r in rows:
            hit = [
                s["id"]
                for s in sites
                if (r["area"] is not None and s["area"] == r["area"])
                or (r["access_point"] is not None and s["access_point"] == r["access_point"])
            ]
            if hit:
                items.append({**incident_item(r), "subservice_ids": sorted(hit)})
        return items

    def _affected(self, row: Any) -> list[sqlite3.Row]:
        column, value = (
            ("area", row["area"]) if row["area"] is not None else ("access_point", row["access_point"])
        )
        return self.db.all(
            f"SELECT id, subscriber_id FROM oss_subservice WHERE {column} = ? ORDER BY subscriber_id, id",
            (value,),
        )

    # --- operator ----------------------------------------------------------------------------------

    def open(self, body: dict[str, Any]) -> dict[str, Any]:
        kind, title, message = body.get("kind"), body.get("title"), body.get("message", "")
        area, access_point = body.get("area"), body.get("access_point")
        if kind not in INCIDENT_KINDS:
            raise invalid("`kind` must be OUTAGE or MAINTENANCE")
        if not isinstance(title, str) or not title.strip() or len(title) > MAX_TITLE:
            raise invalid(f"`title` must be a non-empty string of at most {MAX_TITLE} characters")
        if message is None:
            message = ""
        if not isinstance(message, str) or len(message) > MAX_MESSAGE:
            raise invalid(f"`message` must be a string of at most {MAX_MESSAGE} characters")
        if (area is None) == (access_point is None):
            raise invalid("give exactly one of `area` and `access_point`", "SCOPE_REQUIRED")
        scope = area if area is not None else access_point
        if not isinstance(scope, str) or not scope:
            raise invalid("`area` / `access_point` must be a non-empty string")
        column = "area" if area is not None else "access_point"
        if self.db.scalar(f"SELECT COUNT(*) FROM oss_subservice WHERE {column} = ?", (scope,)) == 0:
            raise invalid(f"no sub-service is served from this {column.replace('_', ' ')}", "UNKNOWN_SITE")
        now = clock.now()
        starts = _moment(body.get("starts_at"), "starts_at") or now
        estimate = _moment(body.get("estimated_end"), "estimated_end")
        if estimate is not None and estimate <= starts:
            raise invalid("`estimated_end` must be after the start", "INVALID_ESTIMATE")
        with self.db.transaction():
            seq = int(self.db.scalar("SELECT COALESCE(MAX(seq), 0) + 1 FROM oss_incident"))
            incident_id = f"INC-{seq:05d}"
            self.db.execute(
                "INSERT INTO oss_incident (id, seq, kind, title, message, area, access_point, status, starts_at,"
                " estimated_end, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'OPEN', ?, ?, ?, ?)",
                (
                    incident_id,
                    seq,
                    kind,
                    title.strip(),
                    message.strip(),
                    area,
                    access_point,
                    clock.iso(starts.replace(microsecond=0)),
                    clock.iso(estimate.replace(microsecond=0)) if estimate else None,
                    clock.iso(now),
                    clock.iso(now),
                ),
            )
            affected = self._changed(incident_id)
        self._notify(incident_id, affected)
        return {**self.incident(incident_id), "affected_subservices": len(affected)}

    def resolve(self, incident_id: str) -> dict[str, Any]:
        with self.db.transaction():
            current = self.incident(incident_id)
            if current["status"] == "RESOLVED":
                raise conflict("ALREADY_RESOLVED", "the incident is already resolved")
            now = clock.iso(clock.now())
            self.db.execute(
                "UPDATE oss_incident SET status = 'RESOLVED', resolved_at = ?, updated_at = ? WHERE id = ?",
                (now, now, incident_id),
            )
            affected = self._changed(incident_id)
        self._notify(incident_id, affected)
        return {**self.incident(incident_id), "affected_subservices": len(affected)}

    def _changed(self, incident_id: str) -> list[sqlite3.Row]:
        """One event per affected subscriber, naming its affected sub-services."""
        row = self.db.one("SELECT * FROM oss_incident WHERE id = ?", (incident_id,))
        assert row is not None
        affected = self._affected(row)
        by_subscriber: dict[str, list[str]] = {}
        for s in affected:
            by_subscriber.setdefault(s["subscriber_id"], []).append(s["id"])
        for subscriber_id, ids in by_subscriber.items():
            self.outbox.emit(
                "incident.changed",
                subscriber_id=subscriber_id,
                data={"incident_id": incident_id, "status": row["status"], "subservice_ids": ids},
            )
        return affected

    def _notify(self, incident_id: str, affected: list[sqlite3.Row]) -> None:
        if self.notifier is None:
            return
        incident = self.incident(incident_id)
        word = "Outage" if incident["kind"] == "OUTAGE" else "Planned maintenance"
        if incident["status"] == "RESOLVED":
            title, body = f"{word} resolved: {incident['title']}", "Service is back to normal."
        else:
            title = f"{word}: {incident['title']}"
            estimate = incident["estimated_end"]
            body = incident["message"] or "We are working on it."
            if estimate:
                body += f" Estimated back by {estimate}."
        by_subscriber: dict[str, list[str]] = {}
        for s in affected:
            by_subscriber.setdefault(s["subscriber_id"], []).append(s["id"])
        for subscriber_id, ids in by_subscriber.items():
            self.notifier.notify(subscriber_id, ids, title, body)
