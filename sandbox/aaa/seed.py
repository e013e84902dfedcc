"""Loads AAA's part of the seed world: a status, plan and session per sub-service, plus its history."""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sandbox.common import clock
from sandbox.common.db import Database
from sandbox.world import SubServiceSeed, World

SEED_NOTES = {
    "NON_PAYMENT": "Invoice overdue",
    "ADMINISTRATIVE": "Suspended by the operator",
    "FRAUD": "Suspected fraud under review",
    "USAGE_CAP": "Monthly usage cap reached",
    "CUSTOMER_REQUEST": "Paused at the subscriber's request",
}


def _at(day: Any, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def _suspended_days_ago(world: World, ss: SubServiceSeed, rng: random.Random) -> int:
    if ss.status_reason == "NON_PAYMENT":
        overdue = next((s.overdue_by_days for s in world.subscribers if s.id == ss.subscriber_id), None)
        if overdue:
            # Suspension follows a week of grace after the due date.
            return max(1, overdue - 7)
    return rng.randint(3, 30)


def seed(db: Database, world: World) -> None:
    subservices: list[tuple[Any, ...]] = []
    history: list[tuple[Any, ...]] = []
    for ss in world.subservices:
        rng = random.Random(f"aaa-seed:{ss.id}")
        activated = _at(world.today - timedelta(days=rng.randint(60, 900)), 10)
        history.append((ss.id, None, "ACTIVE", None, "Provisioned", "SYSTEM", clock.iso(activated)))
        since, note, session = activated, None, None
        if ss.status != "ACTIVE":
            since = _at(world.today - timedelta(days=_suspended_days_ago(world, ss, rng)), 6)
            note = SEED_NOTES.get(ss.status_reason or "")
            history.append((ss.id, "ACTIVE", ss.status, ss.status_reason, note, "SYSTEM", clock.iso(since)))
        if ss.status != "SUSPENDED":
            # The CPE last (re)authenticated some time yesterday.
            session = _at(world.today - timedelta(days=1), 0) + timedelta(seconds=rng.randint(0, 86_399))
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
