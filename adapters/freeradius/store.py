"""The adapter's SQL: reads of FreeRADIUS's tables (`radcheck`, `radusergroup`, `radreply`, `radgroupreply`,
`radacct`) and reads and writes of our own (`adapters.freeradius.tables`). Every function takes the
connection or transaction to run on, so one port call can group its reads."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any, Protocol

from adapters.freeradius.sql import Row, in_list
from adapters.ports.aaa import StatusChange

HISTORY_COLUMNS = "subservice_id, from_status, to_status, reason, note, actor, at"


class Reader(Protocol):
    async def fetch(self, sql: str, *args: Any) -> list[Row]: ...


class Writer(Reader, Protocol):
    async def execute(self, sql: str, *args: Any) -> None: ...


@dataclass(frozen=True, slots=True)
class OpenSession:
    """An accounting record without a stop time: the subscriber's live session as the NAS last reported it."""

    username: str
    session_id: str
    nas_ip: str
    framed_ip: str | None
    started_at: datetime | None
    bytes_in: int  # to the subscriber: radacct's output octets (the NAS's point of view)
    bytes_out: int


def natural_key(text: str) -> list[Any]:
    """The CRM's order of sub-service ids: "SS-1-10" after "SS-1-9" (digit runs compare as numbers)."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", text)]


def aware(value: Any, zone: tzinfo) -> datetime | None:
    """A column's datetime as an aware one: timestamptz already is; a naive DATETIME is read in `zone`."""
    if not isinstance(value, datetime):
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=zone)


def column_time(moment: datetime, dialect: str) -> datetime:
    """What to write into our time columns: aware for timestamptz, naive UTC for MariaDB's datetime(6)."""
    return moment if dialect == "postgresql" else moment.astimezone(UTC).replace(tzinfo=None)


async def accounts(db: Reader, names: Sequence[str], *, lock: bool = False) -> dict[str, tuple[str, ...]]:
    """The users FreeRADIUS knows (a `radcheck` or `radusergroup` row), each with its groups in the order
    FreeRADIUS reads them (ascending priority)."""
    if not names:
        return {}
    found: dict[str, list[str]] = {}
    rows = await db.fetch(
        f"SELECT username, groupname FROM radusergroup WHERE username IN ({in_list(names)})"
        f" ORDER BY username, priority, id{' FOR UPDATE' if lock else ''}",
        *names,
    )
    for username, group in rows:
        found.setdefault(username, []).append(group)
    checked = await db.fetch(
        f"SELECT DISTINCT username FROM radcheck WHERE username IN ({in_list(names)})", *names
    )
    for (username,) in checked:
        found.setdefault(username, [])
    wanted = set(names)  # MariaDB compares names without case: keep exactly the names asked for
    return {name: tuple(groups) for name, groups in found.items() if name in wanted}


async def user_replies(db: Reader, names: Sequence[str]) -> dict[str, list[tuple[str, str]]]:
    if not names:
        return {}
    out: dict[str, list[tuple[str, str]]] = {}
    rows = await db.fetch(
        f"SELECT username, attribute, value FROM radreply WHERE username IN ({in_list(names)}) ORDER BY id",
        *names,
    )
    for username, attribute, value in rows:
        out.setdefault(username, []).append((attribute, value))
    return out


async def group_replies(db: Reader, groups: Sequence[str]) -> dict[str, list[tuple[str, str]]]:
    if not groups:
        return {}
    out: dict[str, list[tuple[str, str]]] = {}
    rows = await db.fetch(
        f"SELECT groupname, attribute, value FROM radgroupreply WHERE groupname IN ({in_list(groups)})"
        " ORDER BY id",
        *groups,
    )
    for group, attribute, value in rows:
        out.setdefault(group, []).append((attribute, value))
    return out


async def open_sessions(
    db: Reader, names: Sequence[str], zone: tzinfo, *, heard_since: datetime | None = None
) -> dict[str, OpenSession]:
    """The newest open session of each user (older open ones are stale: a NAS that rebooted without
    sending Stop), and none whose last word (update, else start) came before `heard_since`. The octet
    columns already include the gigawords (FreeRADIUS's queries fold them in)."""
    if not names:
        return {}
    rows = await db.fetch(
        "SELECT username, acctsessionid, nasipaddress, framedipaddress, acctstarttime, acctoutputoctets,"
        f" acctinputoctets, acctupdatetime FROM radacct WHERE username IN ({in_list(names)})"
        " AND acctstoptime IS NULL ORDER BY acctstarttime, radacctid",
        *names,
    )
    out: dict[str, OpenSession] = {}
    for username, session_id, nas, framed, started, octets_out, octets_in, updated in rows:
        heard = aware(updated, zone) or aware(started, zone)
        if heard_since is not None and (heard is None or heard < heard_since):
            out.pop(username, None)
            continue
        out[username] = OpenSession(
            username=username,
            session_id=session_id,
            nas_ip=str(nas),
            framed_ip=str(framed) if framed else None,
            started_at=aware(started, zone),
            bytes_in=int(octets_out or 0),
            bytes_out=int(octets_in or 0),
        )
    return out


async def subscribers(db: Reader, ids: Sequence[str]) -> dict[str, str]:
    if not ids:
        return {}
    rows = await db.fetch(
        "SELECT subservice_id, subscriber_id FROM wispgate_aaa_subscriber"
        f" WHERE subservice_id IN ({in_list(ids)})",
        *ids,
    )
    return {a: b for a, b in rows}


async def subservices_of(db: Reader, subscriber_id: str) -> list[str]:
    rows = await db.fetch(
        "SELECT subservice_id FROM wispgate_aaa_subscriber WHERE subscriber_id = ?", subscriber_id
    )
    return sorted((r[0] for r in rows), key=natural_key)


def _change(row: Row) -> StatusChange:
    subservice_id, from_status, to_status, reason, note, actor, at = row
    return StatusChange(
        subservice_id=subservice_id,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        note=note,
        actor=actor,
        at=aware(at, UTC) or datetime.fromtimestamp(0, UTC),
    )


async def latest_changes(db: Reader, ids: Sequence[str]) -> dict[str, StatusChange]:
    if not ids:
        return {}
    rows = await db.fetch(
        f"SELECT {HISTORY_COLUMNS} FROM wispgate_aaa_history h WHERE subservice_id IN ({in_list(ids)})"
        " AND id = (SELECT MAX(id) FROM wispgate_aaa_history l WHERE l.subservice_id = h.subservice_id)",
        *ids,
    )
    return {row[0]: _change(row) for row in rows}


async def history(db: Reader, subservice_id: str, limit: int) -> list[StatusChange]:
    rows = await db.fetch(
        f"SELECT {HISTORY_COLUMNS} FROM wispgate_aaa_history WHERE subservice_id = ? ORDER BY id DESC LIMIT ?",
        subservice_id,
        limit,
    )
    return [_change(row) for row in rows]


async def add_changes(db: Writer, changes: Sequence[StatusChange], dialect: str) -> None:
    for c in changes:
        await db.execute(
            f"INSERT INTO wispgate_aaa_history ({HISTORY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
            c.subservice_id,
            c.from_status,
            c.to_status,
            c.reason,
            c.note,
            c.actor,
            column_time(c.at, dialect),
        )
