"""What AAA and OSS must agree on about a sub-service of the world: since when a suspended one is down, and how
much traffic it carries. AAA counts a live session's bytes and OSS records daily usage; both take these from
here, so that a suspended service has no usage while it is down and a live session's bytes are part of the
usage of the days it spans."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from sandbox.world.model import SubServiceSeed, World

BYTES_PER_MBPS_SECOND = 125_000
STREAM_MBPS = 8  # IPTV / VoIP carry no bandwidth profile: a small steady stream


def suspended_days_ago(world: World, ss: SubServiceSeed) -> int | None:
    """How many days ago a seeded non-ACTIVE sub-service went down; None when it is ACTIVE."""
    if ss.status == "ACTIVE":
        return None
    if ss.status_reason == "NON_PAYMENT":
        overdue = next((s.overdue_by_days for s in world.subscribers if s.id == ss.subscriber_id), None)
        if overdue:
            # Suspension follows a week of grace after the due date.
            return max(1, overdue - 7)
    return random.Random(f"suspension:{ss.id}").randint(3, 30)


def suspended_since(world: World, ss: SubServiceSeed) -> datetime | None:
    """The moment a seeded non-ACTIVE sub-service went down (06:00 UTC that day); None when ACTIVE."""
    days = suspended_days_ago(world, ss)
    if days is None:
        return None
    return datetime.combine(world.today - timedelta(days=days), time(6), tzinfo=UTC)


def seeded_session_start(world: World) -> datetime:
    """When the seeded live sessions began: the CPEs re-authenticate daily, at midnight (UTC) of the seed's day.
    OSS's seeded daily usage stops the day before; from then on a day's usage is what the sessions counted."""
    return datetime.combine(world.today, time(0), tzinfo=UTC)


def rates(subservice_id: str, down_mbps: int | None) -> tuple[int, int]:
    """Bytes per second a sub-service's session downloads and uploads on average (a small share of the line
    rate, stable per sub-service)."""
    rng = random.Random(f"traffic:{subservice_id}")
    rate_in = int((down_mbps or STREAM_MBPS) * BYTES_PER_MBPS_SECOND * rng.uniform(0.002, 0.01))
    rate_out = int(rate_in * rng.uniform(0.08, 0.25))
    return rate_in, rate_out


def daily_usage(ss: SubServiceSeed, day: date) -> tuple[int, int]:
    """A closed day's download and upload bytes: the sub-service's average rate over the day, more at
    weekends, varying from day to day (stable per sub-service and day)."""
    rate_in, rate_out = rates(ss.id, ss.plan.down_mbps)
    rng = random.Random(f"usage:{ss.id}:{day.isoformat()}")
    weekend = 1.35 if day.weekday() >= 5 else 1.0
    factor = weekend * rng.uniform(0.5, 1.5)
    return int(rate_in * 86_400 * factor), int(rate_out * 86_400 * factor * rng.uniform(0.7, 1.3))
