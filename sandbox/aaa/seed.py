"""Loads AAA's part of the seed world: a status, plan and session per sub-service, plus its history."""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sandbox.common import clock
from sandbox.common.db import Database
from sandbox.world import World
from sandbox.world.activity import seeded_session_start, suspended_since

SEED_NOTES = {
    "NON_PAYMENT": "Invoice overdue",
    "ADMINISTRATIVE": "Suspended by the operator",
    "FRAUD": "Suspected fraud under review",
    "USAGE_CAP": "Monthly usage cap reached",
    "CUSTOMER_REQUEST": "Paused at the subscriber's request",
}


def _at(day: Any, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def seed(db: Database, world: World) -> None:
    subservices: list[tuple[Any, ...]] = []
    history: list[tuple[Any, ...]] = []
    for ss in world.subservices:
        rng = random.Random(f"aaa-seed:{ss.id}")
        activated = _at(world.today - timedelta(days=rng.randint(60, 900)), 10)
        history.append((ss.id, None, "ACTIVE", None, "Provisioned", "SYSTEM", clock.iso(activated)))
        since, note, session = activated, None, None
        down_since = suspended_since(world, ss)
        if down_since is not None:
            since = down_since
            note = SEED_NOTES.get(ss.status_reason or "")
            history.append((ss.id, "ACTIVE", ss.status, ss.status_reason, note, "SYSTEM", clock.iso(since)))
        if ss.status != "SUSPENDED":
            # The CPE re-authenticates daily; OSS's usage counts this session from the day it began.
            session = seeded_session_start(world)
        subservices.append(
            (
                ss.id,
                ss.subscriber_id,
                ss.kind,
                ss.plan.name,
                ss.plan.down_mbps,
                ss.plan.up_mbps,
                ss.status,
                None if ss.status == "ACTIVE" else ss.status_reason or "ADMINISTRATIVE",
                clock.iso(since),
                note,
                clock.iso(session),
            )
        )
    with db.transaction():
        db.executemany(
            "INSERT INTO aaa_subservice (id, subscriber_id, kind, plan_name, down_mbps, up_mbps, status, reason,"
            " since, note, session_started_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            subservices,
        )
        db.executemany(
            "INSERT INTO aaa_status_history (subservice_id, from_status, to_status, reason, note, actor, at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            history,
        )
