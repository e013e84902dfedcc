"""OSS's business rules, callable from Python (operator console) and from the HTTP handlers."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sandbox.common import clock
from sandbox.common.db import Database, placeholders
from sandbox.common.http import invalid, not_found
from sandbox.common.peers import SessionAccounting
from sandbox.oss.config import DEFAULT_WINDOW_DAYS, MAX_WINDOW_DAYS
from sandbox.oss.cpe import CpeService
from sandbox.oss.store import addon_item, device_item

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_day(raw: object, key: str) -> date | None:
    """An optional `YYYY-MM-DD` date from a request body."""
    if raw is None:
        return None
    if not isinstance(raw, str) or not _DATE.fullmatch(raw):
        raise invalid(f"`{key}` must be a date (YYYY-MM-DD)")
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise invalid(f"`{key}` must be a date (YYYY-MM-DD)") from None


def _spread(session: dict[str, Any], start: date, end: date, per_day: dict[str, list[int]]) -> None:
    """Add a session's bytes to the days it spans within [start, end], in proportion to its time on each day
    (its counters grow at a steady rate). Whole seconds and integer arithmetic, so a day the session covered
    entirely always gets the same figure, however long the session has run since."""
    began: datetime = session["started_at"]
    until: datetime = session["counted_until"]
    length = int((until - began).total_seconds())
    if length <= 0:
        return
    day = max(began.astimezone(UTC).date(), start)
    last = min(until.astimezone(UTC).date(), end)
    while day <= last:
        midnight = datetime.combine(day, time(0), tzinfo=UTC)
        overlap = int((min(until, midnight + timedelta(days=1)) - max(began, midnight)).total_seconds())
        if overlap > 0:
            totals = per_day.setdefault(day.isoformat(), [0, 0])
            totals[0] += session["bytes_in"] * overlap // length
            totals[1] += session["bytes_out"] * overlap // length
        day += timedelta(days=1)


class OssService:
    def __init__(
        self, db: Database, accounting: SessionAccounting | None = None, cpe: CpeService | None = None
    ) -> None:
        self.db = db
        # AAA's session accounting (wired in the combined sandbox): the usage of the days since the seeded
        # sessions began is what the sessions counted. Run alone, OSS has only its recorded days.
        self.accounting = accounting
        self.cpe = cpe

    def today(self) -> date:
        """The seed's today: usage windows are counted from the day the world was seeded for."""
        stored = self.db.scalar("SELECT value FROM oss_meta WHERE key = 'today'")
        return date.fromisoformat(stored) if stored else clock.now().date()

    # --- devices -----------------------------------------------------------------------------------

    def devices_for(self, subservice_ids: Sequence[str]) -> list[dict[str, Any]]:
        if not subservice_ids:
            return []
        rows = self.db.all(
            f"SELECT * FROM oss_device WHERE subservice_id IN ({placeholders(subservice_ids)})"
            " ORDER BY subservice_id, position",
            list(subservice_ids),
        )
        return [device_item(r) for r in rows]

    def device(self, device_id: str) -> dict[str, Any]:
        row = self.db.one("SELECT * FROM oss_device WHERE id = ?", (device_id,))
        if row is None:
            raise not_found("device")
        return device_item(row)

    def list_devices(self, subservice_id: str | None = None) -> list[dict[str, Any]]:
        if subservice_id is None:
            rows = self.db.all("SELECT * FROM oss_device ORDER BY subservice_id, position")
        else:
            rows = self.db.all(
                "SELECT * FROM oss_device WHERE subservice_id = ? ORDER BY position", (subservice_id,)
            )
        return [device_item(r) for r in rows]

    def set_device_state(
        self,
        device_id: str,
        *,
        online: bool | None = None,
        signal_dbm: float | None = None,
        firmware: str | None = None,
    ) -> dict[str, Any]:
        """Simulate what the CPE reports (goes offline, optical level drifts, firmware upgraded)."""
        if online is None and signal_dbm is None and firmware is None:
            raise invalid("give at least one of `online`, `signal_dbm`, `firmware`", "NOTHING_TO_CHANGE")
        with self.db.transaction():
            current = self.device(device_id)
            if signal_dbm is not None and current["kind"] != "ONT":
                raise invalid("only an ONT reports an optical `signal_dbm`", "NOT_AN_ONT")
            now = clock.iso(clock.now())
            is_online = current["online"] if online is None else online
            # last_seen moves while the device is (or just stopped being) reachable; offline it stays put.
            last_seen = now if (is_online or current["online"]) else current["last_seen"]
            self.db.execute(
                "UPDATE oss_device SET online = ?, last_seen = ?, signal_dbm = ?, firmware = ? WHERE id = ?",
                (
                    int(is_online),
                    last_seen,
                    current["signal_dbm"] if signal_dbm is None else signal_dbm,
                    current["firmware"] if firmware is None else firmware,
                    device_id,
                ),
            )
            if self.cpe is not None and is_online and not current["online"]:
                self.cpe.came_online(device_id)
            return self.device(device_id)

    # --- usage -------------------------------------------------------------------------------------

    def window(self, start: date | None, end: date | None) -> tuple[date, date]:
        """The requested period: `to` defaults to today, `from` to 30 days before `to`; at most 90 days."""
        if end is None:
            end = self.today()
        if start is None:
            try:
                start = end - timedelta(days=DEFAULT_WINDOW_DAYS - 1)
            except OverflowError:
                start = date.min
        if start > end:
            raise invalid("`from` must not be after `to`", "INVALID_PERIOD")
        if (end - start).days + 1 > MAX_WINDOW_DAYS:
            raise invalid(f"the period is at most {MAX_WINDOW_DAYS} days", "PERIOD_TOO_LONG")
        return start, end

    def usage_for(
        self, subservice_ids: Sequence[str], start: date | None = None, end: date | None = None
    ) -> list[dict[str, Any]]:
        start, end = self.window(start, end)
        if not subservice_ids:
            return []
        known = self.db.all(
            f"SELECT id FROM oss_subservice WHERE id IN ({placeholders(subservice_ids)})",
            list(subservice_ids),
        )
        known_ids = {r["id"] for r in known}
        days: dict[str, list[dict[str, Any]]] = {i: [] for i in subservice_ids if i in known_ids}
        rows = self.db.all(
            "SELECT subservice_id, day, download_bytes, upload_bytes FROM oss_usage"
            f" WHERE subservice_id IN ({placeholders(subservice_ids)}) AND day BETWEEN ? AND ?"
            " ORDER BY subservice_id, day",
            [*subservice_ids, start.isoformat(), end.isoformat()],
        )
        counted: dict[str, dict[str, list[int]]] = {i: {} for i in days}
        for r in rows:
            counted[r["subservice_id"]][r["day"]] = [r["download_bytes"], r["upload_bytes"]]
        if self.accounting is not None and days:
            for session in self.accounting.accounting(list(days)):
                per_day = counted.get(session["subservice_id"])
                if per_day is not None:
                    _spread(session, start, end, per_day)
        for ss_id, per_day in counted.items():
            days[ss_id] = [
                {"date": day, "download_bytes": down, "upload_bytes": up}
                for day, (down, up) in sorted(per_day.items())
            ]
        return [
            {
                "subservice_id": ss_id,
                "from": start.isoformat(),
                "to": end.isoformat(),
                "download_bytes": sum(d["download_bytes"] for d in series),
                "upload_bytes": sum(d["upload_bytes"] for d in series),
                "days": series,
            }
            for ss_id, series in days.items()
        ]

    # --- add-ons -----------------------------------------------------------------------------------

    def addons_for(self, subservice_ids: Sequence[str]) -> list[dict[str, Any]]:
        if not subservice_ids:
            return []
        rows = self.db.all(
            f"SELECT * FROM oss_addon WHERE subservice_id IN ({placeholders(subservice_ids)})"
            " ORDER BY subservice_id, position",
            list(subservice_ids),
        )
        return [addon_item(r) for r in rows]
