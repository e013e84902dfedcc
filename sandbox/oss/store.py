"""OSS tables and the wire shapes built from their rows."""

from __future__ import annotations

import sqlite3
from typing import Any

from sandbox.common.http import money

SCHEMA = """
CREATE TABLE IF NOT EXISTS oss_meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS oss_subservice (
    id TEXT PRIMARY KEY,
    subscriber_id TEXT NOT NULL,
    kind TEXT NOT NULL,                 -- INTERNET | IPTV | VOIP
    area TEXT NOT NULL DEFAULT '',      -- the network area it is served in
    access_point TEXT NOT NULL DEFAULT ''  -- the access point (OLT port, sector) it hangs off
);
CREATE INDEX IF NOT EXISTS oss_subservice_by_area ON oss_subservice (area, access_point);
CREATE TABLE IF NOT EXISTS oss_device (
    id TEXT PRIMARY KEY,
    subservice_id TEXT NOT NULL REFERENCES oss_subservice (id),
    position INTEGER NOT NULL,          -- order within the sub-service, as installed
    kind TEXT NOT NULL,                 -- ONT | ROUTER | STB | ATA | GATEWAY
    model TEXT NOT NULL,
    serial TEXT NOT NULL,
    mac TEXT NOT NULL UNIQUE,
    firmware TEXT NOT NULL,
    online INTEGER NOT NULL,
    last_seen TEXT NOT NULL,
    signal_dbm REAL                     -- optical RX power, ONTs only
);
CREATE INDEX IF NOT EXISTS oss_device_by_subservice ON oss_device (subservice_id, position);
CREATE TABLE IF NOT EXISTS oss_usage (
    subservice_id TEXT NOT NULL,
    day TEXT NOT NULL,
    download_bytes INTEGER NOT NULL,
    upload_bytes INTEGER NOT NULL,
    PRIMARY KEY (subservice_id, day)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS oss_addon (
    id TEXT PRIMARY KEY,
    subservice_id TEXT NOT NULL REFERENCES oss_subservice (id),
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    monthly_price_minor INTEGER NOT NULL,
    currency TEXT NOT NULL,
    active_since TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS oss_addon_by_subservice ON oss_addon (subservice_id, position);
"""


def device_kind(model: str) -> str:
    """The CPE kind, read from the model name the seed gives ("ONT HG8245", "SIP Gateway 8FXS", …)."""
    words = model.upper().replace("-", " ").split()
    if "ONT" in words:
        return "ONT"
    if "STB" in words or "SET" in words or any(w.startswith("STB") for w in words):
        return "STB"
    if "ATA" in words:
        return "ATA"
    if "GATEWAY" in words:
        return "GATEWAY"
    return "ROUTER"


def device_item(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "subservice_id": row["subservice_id"],
        "kind": row["kind"],
        "model": row["model"],
        "serial": row["serial"],
        "mac": row["mac"],
        "firmware": row["firmware"],
        "online": bool(row["online"]),
        "last_seen": row["last_seen"],
        "signal_dbm": row["signal_dbm"],
    }


def addon_item(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "subservice_id": row["subservice_id"],
        "name": row["name"],
        "monthly_price": money(row["monthly_price_minor"], row["currency"]),
        "active_since": row["active_since"],
    }
