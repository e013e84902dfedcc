"""AAA tables and the wire shapes built from their rows.

One row per sub-service holds its current status and provisioned plan; every change appends to
`aaa_status_history`, so the console and the portal can say why and since when a service is down.
"""

from __future__ import annotations

import random
import sqlite3
from datetime import datetime
from typing import Any

from sandbox.aaa.config import NAS_SITES, RESTRICTED_PROFILE
from sandbox.common import clock
from sandbox.world.activity import STREAM_MBPS, rates

SCHEMA = """
CREATE TABLE IF NOT EXISTS aaa_subservice (
    id TEXT PRIMARY KEY,
    subscriber_id TEXT NOT NULL,
    kind TEXT NOT NULL,                 -- INTERNET | IPTV | VOIP
    plan_name TEXT NOT NULL,
    down_mbps INTEGER,                  -- NULL for IPTV / VoIP
    up_mbps INTEGER,
    status TEXT NOT NULL,               -- ACTIVE | SUSPENDED | RESTRICTED
    reason TEXT,                        -- NULL exactly when ACTIVE
    since TEXT NOT NULL,
    note TEXT,
    session_started_at TEXT             -- NULL while offline (SUSPENDED)
);
CREATE INDEX IF NOT EXISTS aaa_subservice_status ON aaa_subservice (status, id);
CREATE TABLE IF NOT EXISTS aaa_status_history (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    subservice_id TEXT NOT NULL REFERENCES aaa_subservice (id),
    from_status TEXT,                   -- NULL for the provisioning entry
    to_status TEXT NOT NULL,
    reason TEXT,
    note TEXT,
    actor TEXT NOT NULL,                -- SYSTEM | SERVICE | OPERATOR
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS aaa_status_history_by_subservice ON aaa_status_history (subservice_id, seq);
-- Accounting-stop records: a session ended by a status change, with what it counted (OSS's usage reads them).
CREATE TABLE IF NOT EXISTS aaa_session_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    subservice_id TEXT NOT NULL REFERENCES aaa_subservice (id),
    started_at TEXT NOT NULL,
    ended_at TEXT NOT NULL,
    bytes_in INTEGER NOT NULL,
    bytes_out INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS aaa_session_log_by_subservice ON aaa_session_log (subservice_id, seq);
"""


def status_item(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "subservice_id": row["id"],
        "subscriber_id": row["subscriber_id"],
        "status": row["status"],
        "reason": row["reason"],
        "since": row["since"],
        "note": row["note"],
    }


def history_item(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "subservice_id": row["subservice_id"],
        "from_status": row["from_status"],
        "to_status": row["to_status"],
        "reason": row["reason"],
        "note": row["note"],
        "actor": row["actor"],
        "at": row["at"],
    }


def profile_item(row: sqlite3.Row) -> dict[str, Any]:
    restricted = row["status"] == "RESTRICTED"
    name, down, up = row["plan_name"], row["down_mbps"], row["up_mbps"]
    if restricted:
        # IPTV / VoIP have no speed to throttle; they keep null speeds under the restricted profile.
        name = RESTRICTED_PROFILE[0]
        if down is not None:
            down, up = RESTRICTED_PROFILE[1], RESTRICTED_PROFILE[2]
    return {
        "subservice_id": row["id"],
        "name": name,
        "plan": row["plan_name"],
        "down_mbps": down,
        "up_mbps": up,
        "restricted": restricted,
    }


def session_item(row: sqlite3.Row, now: datetime) -> dict[str, Any]:
    """The RADIUS session as the NAS would report it; values are stable per sub-service id."""
    started = row["session_started_at"]
    if row["status"] == "SUSPENDED" or started is None:
        return {
            "subservice_id": row["id"],
            "online": False,
            "ip": None,
            "nas": None,
            "started_at": None,
            "bytes_in": 0,
            "bytes_out": 0,
        }
    rng = random.Random(row["id"])
    ip = f"100.{64 + rng.randint(0, 63)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    nas = f"bng-{rng.choice(NAS_SITES)}-{rng.randint(1, 4)}"
    bytes_in, bytes_out = session_bytes(row, clock.parse_iso(started), now)
    return {
        "subservice_id": row["id"],
        "online": True,
        "ip": ip,
        "nas": nas,
        "started_at": started,
        # Seen from the subscriber: bytes_in is what they downloaded.
        "bytes_in": bytes_in,
        "bytes_out": bytes_out,
    }


def session_bytes(row: sqlite3.Row, started: datetime, until: datetime) -> tuple[int, int]:
    """What a session of this sub-service counted from `started` to `until`: its average rate (the world's,
    which OSS's usage shares), capped while RESTRICTED; counters grow with the session's age, so they move."""
    down_mbps = row["down_mbps"]
    if row["status"] == "RESTRICTED":
        down_mbps = min(down_mbps or STREAM_MBPS, RESTRICTED_PROFILE[1])
    rate_in, rate_out = rates(row["id"], down_mbps)
    elapsed = max(0, int((until - started).total_seconds()))
    return rate_in * elapsed, rate_out * elapsed
