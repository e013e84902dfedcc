"""The support policy in one place: SLA targets per priority, default priority and queue per category
(the categories and priorities themselves are in `sandbox/crm/config.py`)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sandbox.common import clock

# priority → (first response within, resolution within)
SLA_TARGETS: dict[str, tuple[timedelta, timedelta]] = {
    "URGENT": (timedelta(hours=1), timedelta(hours=4)),
    "HIGH": (timedelta(hours=4), timedelta(hours=24)),
    "NORMAL": (timedelta(hours=8), timedelta(hours=72)),
    "LOW": (timedelta(hours=24), timedelta(hours=120)),
}

DEFAULT_PRIORITY = {
    "CONNECTIVITY": "HIGH",
    "BILLING": "NORMAL",
    "DEVICE": "NORMAL",
    "INSTALLATION": "NORMAL",
    "OTHER": "LOW",
}

QUEUES = {
    "CONNECTIVITY": "Network Operations",
    "BILLING": "Billing Desk",
    "DEVICE": "Field Service",
    "INSTALLATION": "Field Service",
    "OTHER": "Helpdesk",
}


CATEGORY_LABELS = {
    "CONNECTIVITY": "Internet or Wi-Fi not working",
    "BILLING": "Billing and payments",
    "DEVICE": "Router, set-top box or other device",
    "INSTALLATION": "Installation, move or new service",
    "OTHER": "Something else",
}


def categories() -> list[dict[str, Any]]:
    """What a customer may choose when opening a ticket, with where it goes and what it promises."""
    return [
        {
            "category": category,
            "label": CATEGORY_LABELS[category],
            "queue": QUEUES[category],
            "default_priority": priority,
            "first_response_minutes": int(SLA_TARGETS[priority][0].total_seconds() // 60),
            "resolution_minutes": int(SLA_TARGETS[priority][1].total_seconds() // 60),
        }
        for category, priority in DEFAULT_PRIORITY.items()
    ]


def queues() -> list[str]:
    return sorted(set(QUEUES.values()))


def due_times(priority: str, opened_at: datetime) -> tuple[datetime, datetime]:
    first_response, resolution = SLA_TARGETS[priority]
    return opened_at + first_response, opened_at + resolution


def sla_view(row: Any, at: datetime | None = None) -> dict[str, Any]:
    """The SLA block of a ticket; a target not met yet counts as breached once its due time has passed.
    `elapsed_percent` is the share of the resolution window used until resolution (or now), capped at 100;
    `*_met` is true once the target was reached in time."""
    current = at or clock.now()
    opened = clock.parse_iso(row["created_at"])
    first_due = clock.parse_iso(row["first_response_due_at"])
    resolution_due = clock.parse_iso(row["resolution_due_at"])
    responded = clock.parse_iso(row["first_responded_at"]) if row["first_responded_at"] else None
    resolved = clock.parse_iso(row["resolved_at"]) if row["resolved_at"] else None
    window = (resolution_due - opened).total_seconds()
    used = ((resolved or current) - opened).total_seconds()
    elapsed = 100.0 if window <= 0 else min(max(used / window * 100, 0.0), 100.0)
    return {
        "elapsed_percent": round(elapsed, 1),
        "first_response_met": responded is not None and responded <= first_due,
        "resolution_met": resolved is not None and resolved <= resolution_due,
        "first_response_due_at": row["first_response_due_at"],
        "resolution_due_at": row["resolution_due_at"],
        "first_responded_at": row["first_responded_at"],
        "resolved_at": row["resolved_at"],
        "first_response_breached": (responded or current) > first_due,
        "resolution_breached": (resolved or current) > resolution_due,
    }
