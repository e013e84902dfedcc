"""Time in the sandbox. Seeds are deterministic relative to `today`, which tests may pin."""

from __future__ import annotations

from datetime import UTC, date, datetime


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 with an explicit UTC offset ("2026-11-25T10:00:00Z"); naive datetimes are refused."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def iso_date(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def parse_iso(raw: str) -> datetime:
    value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value
