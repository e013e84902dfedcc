"""What goes on a period's invoices, and who owes what of them: pure functions shared by the seed, the
billing run, the reads and the documents."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal


@dataclass(frozen=True)
class ChargeInfo:
    subservice_id: str
    description: str
    monthly_price: int
    add_ons: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class PlanInfo:
    id: str
    subservice_id: str
    description: str
    total: int
    count: int
    amount_each: int


@dataclass(frozen=True)
class LineDraft:
    subservice_id: str | None
    description: str
    amount: int
    installment_plan_id: str | None = None


@dataclass
class InvoiceDraft:
    subservice_id: str | None  # None for a consolidated invoice
    lines: list[LineDraft] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(line.amount for line in self.lines)


def installment_line(plan: PlanInfo, number: int) -> LineDraft:
    # The last installment absorbs the rounding of amount_each.
    amount = plan.total - plan.amount_each * (plan.count - 1) if number == plan.count else plan.amount_each
    return LineDraft(
        plan.subservice_id, f"{plan.description} (installment {number} of {plan.count})", amount, plan.id
    )


def drafts_for(
    invoice_mode: str,
    charges: list[ChargeInfo],
    plans: list[PlanInfo],
    installment_numbers: dict[str, int],
) -> list[InvoiceDraft]:
    """One consolidated invoice with every sub-service's lines, or one invoice per sub-service.

    `installment_numbers` says which installment of each plan this period bills (absent: none).
    """
    per_subservice: dict[str, list[LineDraft]] = {}
    for charge in charges:
        lines = [LineDraft(charge.subservice_id, charge.description, charge.monthly_price)]
        lines += [LineDraft(charge.subservice_id, name, price) for name, price in charge.add_ons]
        per_subservice[charge.subservice_id] = lines
    for plan in plans:
        number = installment_numbers.get(plan.id)
        if number is not None and 1 <= number <= plan.count and plan.subservice_id in per_subservice:
            per_subservice[plan.subservice_id].append(installment_line(plan, number))
    if not per_subservice:
        return []
    if invoice_mode == "PER_SUBSERVICE":
        return [InvoiceDraft(ssid, lines) for ssid, lines in per_subservice.items()]
    return [InvoiceDraft(None, [line for lines in per_subservice.values() for line in lines])]


def invoice_number(period_start: date, seq: int) -> str:
    return f"INV-{period_start:%Y%m}-{seq:05d}"


def invoice_id(seq: int) -> str:
    return f"inv_{seq:07d}"


def attributed(line_sum: int, balance: int, total: int) -> int:
    """A sub-service's share of an invoice's unpaid balance, in minor units, rounded half-even."""
    if total <= 0 or balance <= 0:
        return 0
    share = Decimal(line_sum) * Decimal(balance) / Decimal(total)
    return int(share.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))
