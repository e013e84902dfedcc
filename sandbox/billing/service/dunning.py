"""Dunning: what happens to an autopay invoice after its card is declined.

The first decline of an invoice starts its dunning. The billing run retries the charge on the configured days
after that first decline (`DUNNING_RETRY_DAYS`, e.g. 1, 3 and 5), once per retry: a run that finds the k-th
retry day reached and no k-th attempt recorded charges the account's default card *as it is then* (a card the
subscriber added or chose meanwhile is the one used). Runs that skip a retry day do not make up for it with
several charges: the run after it makes the latest retry due, once. A successful charge ends the dunning (the
gateway's webhook settles the invoice); a failed last retry ends it too, and only then may the invoice's
sub-services be suspended for non-payment — at the later of that day and the end of the grace days.

Pure rules (`DunningSchedule`) are kept apart from the reads so that the run, the API and the tests share them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise
from typing import Any

from sandbox.billing.config import MAX_DUNNING_DAY, MAX_DUNNING_RETRIES
from sandbox.billing.service.invoice_reads import InvoiceReads
from sandbox.common.db import placeholders

FAILED = ("DECLINED", "REFUSED")


def validate_retry_days(days: Sequence[int]) -> tuple[int, ...]:
    """Retry days must be strictly increasing whole days after the first decline, at least one."""
    result = tuple(days)
    if not result or len(result) > MAX_DUNNING_RETRIES:
        raise ValueError(f"dunning needs 1 to {MAX_DUNNING_RETRIES} retry days")
    if any(not isinstance(d, int) or d < 1 or d > MAX_DUNNING_DAY for d in result):
        raise ValueError(f"dunning retry days are whole days from 1 to {MAX_DUNNING_DAY}")
    if any(a >= b for a, b in pairwise(result)):
        raise ValueError("dunning retry days must increase")
    return result


@dataclass(frozen=True, slots=True)
class DunningSchedule:
    retry_days: tuple[int, ...]
    first_decline_on: date

    def retry_on(self, k: int) -> date:
        """The day of the k-th retry (1-based)."""
        return self.first_decline_on + timedelta(days=self.retry_days[k - 1])

    def due_retry(self, as_of: date) -> int:
        """The latest retry whose day has come by `as_of` (0: none yet)."""
        return sum(1 for k in range(1, len(self.retry_days) + 1) if self.retry_on(k) <= as_of)

    @property
    def last_retry_on(self) -> date:
        return self.retry_on(len(self.retry_days))


@dataclass(frozen=True, slots=True)
class InvoiceDunning:
    """One invoice's dunning as its attempts say: None from `of` when no charge of it ever failed."""

    schedule: DunningSchedule
    attempts: list[Any]  # autopay_attempts rows, oldest first
    due_on: date
    grace_days: int
    # False once no retry can be made: autopay off, no default card, no card charger wired. The schedule then
    # ends as if its last retry had failed (no next retry; suspension after grace).
    can_retry: bool = True

    @property
    def last_retry(self) -> int:
        return max(int(a["retry"]) for a in self.attempts)

    @property
    def recovered(self) -> bool:
        return any(a["outcome"] == "SUCCEEDED" for a in self.attempts)

    @property
    def exhausted(self) -> bool:
        """The last retry was made and failed, or no retry can be made any more."""
        if not self.can_retry:
            return not self.recovered
        last = len(self.schedule.retry_days)  # `>=`: the operator may have shortened the schedule since
        return any(a["retry"] >= last and a["outcome"] in FAILED for a in self.attempts)

    @property
    def next_retry_on(self) -> date | None:
        if self.recovered or self.exhausted:
            return None
        return self.schedule.retry_on(self.last_retry + 1)

    @property
    def suspends_on(self) -> date | None:
        """When the invoice's sub-services are suspended if it stays unpaid (None once recovered)."""
        if self.recovered:
            return None
        after_grace = self.due_on + timedelta(days=self.grace_days + 1)
        if not self.can_retry:
            return after_grace
        return max(after_grace, self.schedule.last_retry_on)

    @property
    def state(self) -> str:
        if self.recovered:
            return "RECOVERED"
        return "EXHAUSTED" if self.exhausted else "RETRYING"


class BillingDunning(InvoiceReads):
    def attempts_of(self, invoice_ids: Sequence[str]) -> dict[str, list[Any]]:
        """Autopay attempts per invoice, oldest first."""
        found: dict[str, list[Any]] = defaultdict(list)
        if invoice_ids:
            for row in self.db.all(
                "SELECT t.*, m.brand, m.last4 FROM autopay_attempts t"
                " LEFT JOIN payment_methods m ON m.id = t.payment_method_id"
                f" WHERE t.invoice_id IN ({placeholders(invoice_ids)}) ORDER BY t.id",
                list(invoice_ids),
            ):
                found[row["invoice_id"]].append(row)
        return found

    def chargeable(self, invoice_ids: Sequence[str]) -> set[str]:
        """The invoices among these that the billing run can still charge: the account on autopay with a
        default card and a gateway customer, and a card charger wired."""
        if not invoice_ids or self.card_charger is None:
            return set()
        return {
            r["id"]
            for r in self.db.all(
                "SELECT i.id FROM invoices i JOIN accounts a USING (subscriber_id)"
                " WHERE a.autopay = 1 AND a.default_payment_method_id IS NOT NULL"
                f" AND a.gateway_customer_id IS NOT NULL AND i.id IN ({placeholders(invoice_ids)})",
                list(invoice_ids),
            )
        }

    def dunning_of(
        self, invoices: Sequence[Any], chargeable: set[str] | None = None
    ) -> dict[str, InvoiceDunning]:
        """The dunning of each invoice row (with `grace_days` joined) that had a failed charge;
        `chargeable`: those that can still be retried (None: all of them)."""
        attempts = self.attempts_of([i["id"] for i in invoices])
        result = {}
        for invoice in invoices:
            rows = attempts.get(invoice["id"], [])
            failed = [a for a in rows if a["outcome"] in FAILED]
            if not failed:
                continue
            schedule = DunningSchedule(self.dunning_retry_days, date.fromisoformat(failed[0]["run_on"]))
            result[invoice["id"]] = InvoiceDunning(
                schedule,
                rows,
                date.fromisoformat(invoice["due_on"]),
                invoice["grace_days"],
                can_retry=chargeable is None or invoice["id"] in chargeable,
            )
        return result

    def _invoices_with_grace(self, where: str, params: Sequence[Any]) -> list[Any]:
        return self.db.all(
            "SELECT i.*, a.grace_days FROM invoices i JOIN accounts a USING (subscriber_id)"
            f" WHERE {where} ORDER BY i.seq",
            list(params),
        )

    def dunning_for_invoices(self, invoice_ids: Sequence[str]) -> list[dict[str, Any]]:
        """Wire form: the dunning of each of these invoices that had a failed autopay charge."""
        if not invoice_ids:
            return []
        rows = self._invoices_with_grace(f"i.id IN ({placeholders(invoice_ids)})", invoice_ids)
        return self._dunning_dicts(rows)

    def dunning_for_subscribers(self, subscriber_ids: Sequence[str]) -> list[dict[str, Any]]:
        """Wire form: the unpaid invoices of these subscribers that are in dunning or ended it unpaid."""
        if not subscriber_ids:
            return []
        rows = self._invoices_with_grace(
            f"i.subscriber_id IN ({placeholders(subscriber_ids)}) AND i.status IN ('OPEN', 'OVERDUE')"
            " AND i.id IN (SELECT invoice_id FROM autopay_attempts WHERE outcome != 'SUCCEEDED')",
            subscriber_ids,
        )
        return [d for d in self._dunning_dicts(rows) if d["state"] != "RECOVERED"]

    def _dunning_dicts(self, rows: Sequence[Any]) -> list[dict[str, Any]]:
        """With each its invoice, so that a page listing them reads nothing else (one round)."""
        dunning = self.dunning_of(rows, self.chargeable([r["id"] for r in rows]))
        kept = [row for row in rows if row["id"] in dunning]
        retries = len(self.dunning_retry_days)
        return [
            {**dunning_dict(row, dunning[row["id"]], retries), "invoice": invoice}
            for row, invoice in zip(kept, self.invoice_dicts(kept), strict=True)
        ]

    def suspension_waits(self, invoice_ids: Sequence[str]) -> set[str]:
        """The invoices among these whose suspension waits for dunning: a successful charge on its way to
        being settled, or retries left that can still be made — the account still on autopay with a default
        card and a card charger wired. Turning autopay off or removing the card ends the wait: a schedule that
        can no longer run must not keep a service connected for ever."""
        if not invoice_ids:
            return set()
        rows = self._invoices_with_grace(f"i.id IN ({placeholders(invoice_ids)})", invoice_ids)
        dunning = self.dunning_of(rows, self.chargeable(invoice_ids))
        return {iid for iid, d in dunning.items() if d.recovered or not d.exhausted}


def dunning_dict(invoice: Any, dunning: InvoiceDunning, retries: int) -> dict[str, Any]:
    return {
        "invoice_id": invoice["id"],
        "subscriber_id": invoice["subscriber_id"],
        "state": dunning.state,
        "retries": retries,
        "attempts": [
            {
                "at": a["at"],
                "retry": a["retry"],
                "outcome": a["outcome"],
                "decline_code": a["decline_code"],
                "card": {"brand": a["brand"], "last4": a["last4"]} if a["brand"] else None,
            }
            for a in dunning.attempts
        ],
        "next_retry_on": _day(dunning.next_retry_on),
        "suspends_on": _day(dunning.suspends_on),
    }


def _day(day: date | None) -> str | None:
    return None if day is None else day.isoformat()
