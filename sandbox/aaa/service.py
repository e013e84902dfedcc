"""AAA's business rules, callable from Python (operator console, peers) and from the HTTP handlers.

A sub-service has one status and, unless ACTIVE, one reason. The BFF may only clear the reason it was told
about (a payment clears NON_PAYMENT, never an ADMINISTRATIVE or FRAUD suspension); the operator may do
anything. Every change appends history and emits `service.status_changed` in the same transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from sandbox.aaa.config import MAX_NOTE, REASONS, STATUSES
from sandbox.aaa.store import history_item, profile_item, session_bytes, session_item, status_item
from sandbox.common import clock
from sandbox.common.db import Database, placeholders
from sandbox.common.events import EventOutbox
from sandbox.common.http import conflict, invalid, not_found


def clean_note(raw: object) -> str | None:
    """An optional free-text note: None, or a string of at most 500 characters (blank means none)."""
    if raw is None:
        return None
    if not isinstance(raw, str) or len(raw) > MAX_NOTE:
        raise invalid(f"`note` must be a string of at most {MAX_NOTE} characters")
    return raw.strip() or None


def check_reason(raw: object) -> str:
    if raw not in REASONS:
        raise invalid(f"`reason` must be one of {', '.join(REASONS)}")
    assert isinstance(raw, str)
    return raw


class AaaService:
    def __init__(self, db: Database, outbox: EventOutbox) -> None:
        self.db = db
        self.outbox = outbox

    # --- reads -------------------------------------------------------------------------------------

    def _rows(self, ids: Sequence[str]) -> list[sqlite3.Row]:
        if not ids:
            return []
        rows = self.db.all(f"SELECT * FROM aaa_subservice WHERE id IN ({placeholders(ids)})", list(ids))
        by_id = {r["id"]: r for r in rows}
        return [by_id[i] for i in ids if i in by_id]  # request order; unknown ids omitted

    def _row(self, subservice_id: str) -> sqlite3.Row:
        row = self.db.one("SELECT * FROM aaa_subservice WHERE id = ?", (subservice_id,))
        if row is None:
            raise not_found("sub-service")
        return row

    def statuses(self, ids: Sequence[str]) -> list[dict[str, Any]]:
        return [status_item(r) for r in self._rows(ids)]

    def status(self, subservice_id: str) -> dict[str, Any]:
        return status_item(self._row(subservice_id))

    def history(self, subservice_id: str, limit: int = 50) -> list[dict[str, Any]]:
        """Newest first."""
        self._row(subservice_id)
        rows = self.db.all(
            "SELECT * FROM aaa_status_history WHERE subservice_id = ? ORDER BY seq DESC LIMIT ?",
            (subservice_id, limit),
        )
        return [history_item(r) for r in rows]

    def profiles(self, ids: Sequence[str]) -> list[dict[str, Any]]:
        return [profile_item(r) for r in self._rows(ids)]

    def sessions(self, ids: Sequence[str]) -> list[dict[str, Any]]:
        now = clock.now()
        return [session_item(r, now) for r in self._rows(ids)]

    def accounting(self, ids: Sequence[str]) -> list[dict[str, Any]]:
        """Every session of these sub-services that AAA knows of, ended (from the log) or live (counted up to
        now): {subservice_id, started_at, ended_at (None while live), counted_until (when the bytes were read:
        the end, or now), bytes_in, bytes_out}, oldest first."""
        if not ids:
            return []
        now = clock.now()
        items = [
            {
                "subservice_id": r["subservice_id"],
                "started_at": clock.parse_iso(r["started_at"]),
                "ended_at": clock.parse_iso(r["ended_at"]),
                "counted_until": clock.parse_iso(r["ended_at"]),
                "bytes_in": r["bytes_in"],
                "bytes_out": r["bytes_out"],
            }
            for r in self.db.all(
                f"SELECT * FROM aaa_session_log WHERE subservice_id IN ({placeholders(ids)}) ORDER BY seq",
                list(ids),
            )
        ]
        for r in self._rows(ids):
            if r["session_started_at"] is None or r["status"] == "SUSPENDED":
                continue
            started = clock.parse_iso(r["session_started_at"])
            bytes_in, bytes_out = session_bytes(r, started, now)
            items.append(
                {
                    "subservice_id": r["id"],
                    "started_at": started,
                    "ended_at": None,
                    "counted_until": now,
                    "bytes_in": bytes_in,
                    "bytes_out": bytes_out,
                }
            )
        return items

    def list(self, status: str | None = None) -> list[dict[str, Any]]:
        if status is None:
            rows = self.db.all("SELECT * FROM aaa_subservice ORDER BY id")
        else:
            rows = self.db.all("SELECT * FROM aaa_subservice WHERE status = ? ORDER BY id", (status,))
        return [status_item(r) for r in rows]

    # --- changes -----------------------------------------------------------------------------------

    def reactivate(
        self, subservice_id: str, reason: str, note: str | None = None, *, actor: str = "SERVICE"
    ) -> dict[str, Any]:
        """Clear `reason`: only when the sub-service is down for exactly that reason (else REASON_MISMATCH).

        Already ACTIVE is a no-op (`changed: false`), so a retried payment webhook is harmless.
        """
        reason = check_reason(reason)
        note = clean_note(note)
        with self.db.transaction():
            row = self._row(subservice_id)
            if row["status"] == "ACTIVE":
                return {**status_item(row), "changed": False}
            if row["reason"] != reason:
                raise conflict(
                    "REASON_MISMATCH",
                    f"sub-service is {row['status']} for {row['reason']}, not {reason}; it stays so",
                )
            return self._change(row, "ACTIVE", None, note, actor)

    def operator_reactivate(self, subservice_id: str, note: str | None = None) -> dict[str, Any]:
        """The operator lifts any suspension or restriction."""
        note = clean_note(note)
        with self.db.transaction():
            row = self._row(subservice_id)
            if row["status"] == "ACTIVE":
                return {**status_item(row), "changed": False}
            return self._change(row, "ACTIVE", None, note, "OPERATOR")

    def set_down(
        self,
        subservice_id: str,
        status: str,
        reason: str,
        note: str | None = None,
        *,
        actor: str = "OPERATOR",
    ) -> dict[str, Any]:
        """Suspend or restrict for `reason`; the same status and reason again is a no-op."""
        if status not in STATUSES or status == "ACTIVE":
            raise invalid("status must be SUSPENDED or RESTRICTED")
        reason = check_reason(reason)
        note = clean_note(note)
        with self.db.transaction():
            row = self._row(subservice_id)
            if row["status"] == status and row["reason"] == reason:
                return {**status_item(row), "changed": False}
            return self._change(row, status, reason, note, actor)

    def suspend(self, subservice_id: str, reason: str, note: str) -> None:
        """The peer call (billing's dunning run): never overrides a suspension that is already in place.

        Replacing an ADMINISTRATIVE suspension by NON_PAYMENT would let a payment lift it, so any existing
        suspension wins.
        """
        with self.db.transaction():
            if self._row(subservice_id)["status"] == "SUSPENDED":
                return
            self.set_down(subservice_id, "SUSPENDED", reason, note, actor="SYSTEM")

    def set_profile(
        self, subservice_id: str, plan: str, down_mbps: int | None, up_mbps: int | None
    ) -> dict[str, Any]:
        """Provision a plan's bandwidth profile (a RADIUS CoA on the live session: no reconnect). The same
        profile again is a no-op (`changed: false`); a change emits `service.profile_changed`."""
        if not isinstance(plan, str) or not plan.strip() or len(plan) > 100:
            raise invalid("`plan` must be a non-empty string of at most 100 characters")
        for key, value in (("down_mbps", down_mbps), ("up_mbps", up_mbps)):
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 100_000
            ):
                raise invalid(f"`{key}` must be null or an integer from 1 to 100000")
        with self.db.transaction():
            row = self._row(subservice_id)
            if (row["down_mbps"] is None) != (down_mbps is None):
                raise invalid("speeds are for INTERNET sub-services only, and every INTERNET plan has them")
            same = (row["plan_name"], row["down_mbps"], row["up_mbps"]) == (plan, down_mbps, up_mbps)
            if not same:
                self.db.execute(
                    "UPDATE aaa_subservice SET plan_name = ?, down_mbps = ?, up_mbps = ? WHERE id = ?",
                    (plan, down_mbps, up_mbps, subservice_id),
                )
                self.outbox.emit(
                    "service.profile_changed",
                    subscriber_id=row["subscriber_id"],
                    subservice_id=subservice_id,
                    data={
                        "subservice_id": subservice_id,
                        "plan": plan,
                        "down_mbps": down_mbps,
                        "up_mbps": up_mbps,
                    },
                )
            return {**profile_item(self._row(subservice_id)), "changed": not same}

    def _change(
        self, row: sqlite3.Row, status: str, reason: str | None, note: str | None, actor: str
    ) -> dict[str, Any]:
        moment = clock.now()
        at = clock.iso(moment)
        # A status change re-authenticates the CPE (RADIUS CoA / disconnect): a new session, or none. The
        # session it ends is logged with what it counted (an accounting stop), so usage keeps it.
        if row["session_started_at"] is not None and row["status"] != "SUSPENDED":
            started = clock.parse_iso(row["session_started_at"])
            bytes_in, bytes_out = session_bytes(row, started, moment)
            self.db.execute(
                "INSERT INTO aaa_session_log (subservice_id, started_at, ended_at, bytes_in, bytes_out)"
                " VALUES (?, ?, ?, ?, ?)",
                (row["id"], row["session_started_at"], at, bytes_in, bytes_out),
            )
        session = None if status == "SUSPENDED" else at
        self.db.execute(
            "UPDATE aaa_subservice SET status = ?, reason = ?, since = ?, note = ?, session_started_at = ?"
            " WHERE id = ?",
            (status, reason, at, note, session, row["id"]),
        )
        self.db.execute(
            "INSERT INTO aaa_status_history (subservice_id, from_status, to_status, reason, note, actor, at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (row["id"], row["status"], status, reason, note, actor, at),
        )
        self.outbox.emit(
            "service.status_changed",
            subscriber_id=row["subscriber_id"],
            subservice_id=row["id"],
            data={
                "subservice_id": row["id"],
                "status": status,
                "reason": reason,
                "previous_status": row["status"],
                "since": at,
            },
        )
        return {**status_item(self._row(row["id"])), "changed": True}
