"""Billing cycles derived from an account's billing day (1..28, so every month has it).

Invoices are issued in advance on the first day of their period; the period runs to the day before the
next billing day.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def add_months_dt(moment: datetime, months: int) -> datetime:
    shifted = add_months(moment.date(), months)
    return moment.replace(year=shifted.year, month=shifted.month, day=shifted.day)


@dataclass(frozen=True)
class Cycle:
    period_start: date
    period_end: date

    @property
    def next_invoice_on(self) -> date:
        return self.period_end + timedelta(days=1)

    def shifted(self, months: int) -> Cycle:
        start = add_months(self.period_start, months)
        return Cycle(start, add_months(start, 1) - timedelta(days=1))

    def wire(self) -> dict[str, str]:
        return {
            "period_start": self.period_start.isoformat(),
            "period_end": self.period_end.isoformat(),
            "next_invoice_on": self.next_invoice_on.isoformat(),
        }


def cycle_containing(day: date, billing_day: int) -> Cycle:
    start = date(day.year, day.month, billing_day)
    if start > day:
        start = add_months(start, -1)
    return Cycle(start, add_months(start, 1) - timedelta(days=1))
