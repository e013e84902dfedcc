"""Zammad's escalation fields as the portal's SLA."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from adapters.ports.tickets import Sla
from adapters.zammad.config import ZammadConfig
from adapters.zammad.fields import moment, required_moment

DONE = ("RESOLVED", "CLOSED")


def sla(raw: Mapping[str, Any], created: datetime, status: str, config: ZammadConfig, now: datetime) -> Sla:
    """Zammad's escalation fields as the portal's SLA. Zammad keeps `*_escalation_at` (the due time) while a
    target is open, and after it is met records `*_diff_in_min` (minutes to spare; negative: late); with no
    SLA on the ticket, the configured minutes from its creation stand in."""
    updated = required_moment(raw, "updated_at")
    responded = moment(raw.get("first_response_at"), "first_response_at")
    response_due = moment(raw.get("first_response_escalation_at"), "first_response_escalation_at")
    response_diff = raw.get("first_response_diff_in_min")
    if response_due is None:
        if responded is not None and isinstance(response_diff, int) and not isinstance(response_diff, bool):
            response_due = responded + timedelta(minutes=response_diff)
        else:
            response_due = created + timedelta(minutes=config.first_response_minutes)
    resolved = (moment(raw.get("close_at"), "close_at") or updated) if status in DONE else None
    resolution_due = moment(raw.get("close_escalation_at"), "close_escalation_at")
    close_diff = raw.get("close_diff_in_min")
    if resolution_due is None:
        if resolved is not None and isinstance(close_diff, int) and not isinstance(close_diff, bool):
            resolution_due = resolved + timedelta(minutes=close_diff)
        else:
            resolution_due = created + timedelta(minutes=config.resolution_minutes)
    response_breached = responded > response_due if responded is not None else now > response_due
    resolution_breached = resolved > resolution_due if resolved is not None else now > resolution_due
    window = (resolution_due - created).total_seconds()
    used = ((resolved or now) - created).total_seconds()
    elapsed = min(max(used / window, 0.0), 1.0) * 100 if window > 0 else 100.0
    return Sla(
        first_response_due_at=response_due,
        resolution_due_at=resolution_due,
        first_responded_at=responded,
        resolved_at=resolved,
        first_response_breached=response_breached,
        resolution_breached=resolution_breached,
        first_response_met=responded is not None and not response_breached,
        resolution_met=resolved is not None and not resolution_breached,
        elapsed_percent=round(elapsed, 2),
    )
