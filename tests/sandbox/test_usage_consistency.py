"""Usage agrees with status and sessions (issue 12, item 4): OSS records no usage while a sub-service is
suspended, every kind that carries a session is metered, and a session's bytes are part of the usage of the
days it spans — also after a status change ended it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from sandbox.app import Sandbox
from sandbox.common import clock
from sandbox.world import World

# Mid-afternoon of the pinned day: the seeded sessions began at its midnight.
NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def pinned_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: NOW)


def usage(sandbox: Sandbox, ids: list[str], start: date, end: date) -> dict[str, dict]:
    return {u["subservice_id"]: u for u in sandbox.oss.service.usage_for(ids, start, end)}


def test_every_live_session_is_counted_in_the_usage_of_its_days(
    sandbox: Sandbox, world: World, today: date
) -> None:
    ids = [s.id for s in world.subservices]
    sessions = {s["subservice_id"]: s for s in sandbox.aaa.service.sessions(ids)}
    window = usage(sandbox, ids, today - timedelta(days=29), today)
    live = [i for i in ids if sessions[i]["online"]]
    assert len(live) > 40
    for ssid in live:
        session, used = sessions[ssid], window[ssid]
        assert session["bytes_in"] > 0, ssid
        started = clock.parse_iso(session["started_at"]).date()
        since_start = sum(d["download_bytes"] for d in used["days"] if d["date"] >= started.isoformat())
        # The session is all the usage of its days (nothing else was counted since it began), to rounding.
        assert abs(since_start - session["bytes_in"]) <= 1, ssid
        assert used["download_bytes"] >= session["bytes_in"], ssid
        assert used["upload_bytes"] >= session["bytes_out"], ssid


def test_iptv_and_voip_with_a_live_session_have_usage(sandbox: Sandbox, today: date) -> None:
    window = usage(sandbox, ["SS-1001-2", "SS-1003-2"], today - timedelta(days=29), today)
    for ssid in ("SS-1001-2", "SS-1003-2"):
        assert len(window[ssid]["days"]) == 30, ssid
        assert window[ssid]["download_bytes"] > 0, ssid


def test_no_usage_is_recorded_while_suspended(sandbox: Sandbox, world: World, today: date) -> None:
    suspended = [s.id for s in world.subservices if s.status == "SUSPENDED"]
    assert {"SS-1002-1", "SS-1003-1"} <= set(suspended)
    statuses = {s["subservice_id"]: s for s in sandbox.aaa.service.statuses(suspended)}
    window = usage(sandbox, suspended, today - timedelta(days=89), today)
    for ssid in suspended:
        since = clock.parse_iso(statuses[ssid]["since"]).date()
        assert since < today
        days = window[ssid]["days"]
        assert days, ssid  # it was used before it went down
        assert all(d["date"] < since.isoformat() for d in days), (ssid, since, days[-1])
        # The 30 days ending today count only the days before the suspension.
        recent = usage(sandbox, [ssid], today - timedelta(days=29), today)[ssid]
        assert recent["download_bytes"] == sum(
            d["download_bytes"] for d in days if d["date"] >= (today - timedelta(days=29)).isoformat()
        )


def test_a_session_ended_by_a_status_change_stays_in_the_usage(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, today: date
) -> None:
    before = usage(sandbox, ["SS-1001-1"], today, today)["SS-1001-1"]["download_bytes"]
    assert before > 0
    sandbox.aaa.suspend("SS-1001-1", "ADMINISTRATIVE", "test")
    later = NOW + timedelta(hours=3)
    monkeypatch.setattr(clock, "now", lambda: later)
    after = usage(sandbox, ["SS-1001-1"], today, today)["SS-1001-1"]["download_bytes"]
    # The ended session still counts; nothing was added while suspended.
    assert after == before
    assert sandbox.aaa.service.sessions(["SS-1001-1"])[0]["bytes_in"] == 0
