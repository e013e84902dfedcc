"""Plan changes and add-ons: what a sub-service may move to or buy, the proration of a change, the change
itself, and add-on purchases paid from the wallet or by card.

- A plan change is priced for the rest of the period already invoiced (invoices are issued in advance):
  a credit for the unused days of the current plan and a charge for the same days of the new one, each
  rounded half-even to the minor unit. An upgrade (a dearer plan, or one as dear) applies at once and puts
  both amounts as lines on the sub-service's next invoice (`plan_adjustments`); a downgrade is scheduled for
  the next period (nothing to prorate) and applied by the billing run, which then tells AAA.
- An add-on costs its `price_now`: a one-off add-on its price, a monthly one the prorated rest of the period
  (then its monthly price on every invoice). Paid from the wallet (a negative ADD_ON ledger entry, refused
  with INSUFFICIENT_BALANCE when the wallet does not cover it) or by card (the gateway's payment intent is
  the purchase's reference: recorded at most once).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from sandbox.billing.catalogue import (
    ADD_ONS,
    ADD_ONS_BY_ID,
    PLANS,
    PLANS_BY_ID,
    PLANS_BY_NAME,
    CatalogueAddOn,
    CataloguePlan,
)
from sandbox.billing.service.account_reads import AccountReads
from sandbox.billing.service.cycle import Cycle, cycle_containing
from sandbox.common import clock
from sandbox.common.db import placeholders
from sandbox.common.http import conflict, invalid, money, not_found
from sandbox.common.money import round_to_minor, to_minor


def prorated(monthly: int, cycle: Cycle, today: date) -> int:
    """The share of a month's price for the days from `today` to the end of the period, both included."""
    days = (cycle.period_end - cycle.period_start).days + 1
    left = (cycle.period_end - today).days + 1
    share = Decimal(monthly) * Decimal(left) / Decimal(days)
    return int(share.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def plan_dict(plan: CataloguePlan, currency: str) -> dict[str, Any]:
    return {
        "id": plan.id,
        "kind": plan.kind,
        "name": plan.name,
        "monthly_price": money(round_to_minor(plan.monthly_price, currency), currency),
        "down_mbps": plan.down_mbps,
        "up_mbps": plan.up_mbps,
        "data_cap_gb": plan.data_cap_gb,
    }


class BillingPlans(AccountReads):
    # ---- reads -----------------------------------------------------------------------------------------
    def _charge(self, subservice_id: str) -> Any:
        row = self.db.one(
            "SELECT c.*, a.currency, a.billing_day FROM charges c JOIN accounts a USING (subscriber_id)"
            " WHERE c.subservice_id = ?",
            (subservice_id,),
        )
        if row is None:
            raise not_found("sub-service")
        return row

    def _cycle(self, charge: Any) -> Cycle | None:
        return None if charge["prepaid"] else cycle_containing(self.today(), charge["billing_day"])

    def _addon_now(self, addon: CatalogueAddOn, charge: Any) -> int:
        price = round_to_minor(addon.price, charge["currency"])
        cycle = self._cycle(charge)
        if addon.billing == "MONTHLY" and cycle is not None:
            return prorated(price, cycle, self.today())
        return price

    def _addon_dict(self, addon: CatalogueAddOn, charge: Any, owned: set[str]) -> dict[str, Any]:
        cur = charge["currency"]
        return {
            "id": addon.id,
            "name": addon.name,
            "category": addon.category,
            "billing": addon.billing,
            "price": money(round_to_minor(addon.price, cur), cur),
            "price_now": money(self._addon_now(addon, charge), cur),
            "data_gb": addon.data_gb,
            "active": addon.billing == "MONTHLY" and addon.name in owned,
        }

    def offers(self, subservice_ids: Sequence[str]) -> list[dict[str, Any]]:
        """Per sub-service (in the order asked, unknown ids omitted): the plans of its kind, the one it is on,
        the change scheduled for the next period, and the add-ons it may buy."""
        if not subservice_ids:
            return []
        marks, params = placeholders(subservice_ids), list(subservice_ids)
        charges = {
            r["subservice_id"]: r
            for r in self.db.all(
                "SELECT c.*, a.currency, a.billing_day FROM charges c JOIN accounts a USING (subscriber_id)"
                f" WHERE c.subservice_id IN ({marks})",
                params,
            )
        }
        owned: dict[str, set[str]] = defaultdict(set)
        for r in self.db.all(f"SELECT * FROM charge_addons WHERE subservice_id IN ({marks})", params):
            owned[r["subservice_id"]].add(r["description"])
        pending = {
            r["subservice_id"]: r
            for r in self.db.all(
                f"SELECT * FROM plan_changes WHERE status = 'SCHEDULED' AND subservice_id IN ({marks})",
                params,
            )
        }
        items = []
        for ssid in dict.fromkeys(subservice_ids):
            charge = charges.get(ssid)
            if charge is None:
                continue
            cur = charge["currency"]
            current = PLANS_BY_NAME.get(charge["description"])
            scheduled = pending.get(ssid)
            items.append(
                {
                    "subservice_id": ssid,
                    "current_plan_id": current.id if current else None,
                    "plans": [plan_dict(p, cur) for p in PLANS if p.kind == charge["kind"]],
                    "add_ons": [
                        self._addon_dict(a, charge, owned[ssid]) for a in ADD_ONS if a.kind == charge["kind"]
                    ],
                    "pending_change": (
                        {
                            "plan": plan_dict(PLANS_BY_ID[scheduled["to_plan_id"]], cur),
                            "effective_on": scheduled["effective_on"],
                        }
                        if scheduled is not None
                        else None
                    ),
                }
            )
        return items

    # ---- plan changes ----------------------------------------------------------------------------------
    def _target(self, charge: Any, plan_id: str) -> tuple[CataloguePlan | None, CataloguePlan]:
        plan = PLANS_BY_ID.get(plan_id)
        if plan is None or plan.kind != charge["kind"]:
            raise invalid("no plan with this id is offered for this sub-service", "UNKNOWN_PLAN")
        current = PLANS_BY_NAME.get(charge["description"])
        if current is not None and current.id == plan.id:
            raise conflict("SAME_PLAN", "the sub-service is already on this plan")
        if charge["prepaid"]:
            raise conflict("PREPAID", "a prepaid sub-service changes plan when it is renewed, not mid-period")
        return current, plan

    def _preview(self, charge: Any, plan_id: str) -> dict[str, Any]:
        current, plan = self._target(charge, plan_id)
        cur = charge["currency"]
        cycle = self._cycle(charge)
        assert cycle is not None  # prepaid refused above
        today = self.today()
        old_price = charge["monthly_price"]
        new_price = round_to_minor(plan.monthly_price, cur)
        upgrade = new_price >= old_price
        credit = prorated(old_price, cycle, today) if upgrade else 0
        charged = prorated(new_price, cycle, today) if upgrade else 0
        addons = self.monthly_charge_minor(charge["subservice_id"]) - old_price
        scheduled = self.db.one(
            "SELECT 1 FROM plan_changes WHERE subservice_id = ? AND status = 'SCHEDULED'",
            (charge["subservice_id"],),
        )
        return {
            "subservice_id": charge["subservice_id"],
            "current_plan": (
                plan_dict(current, cur)
                if current is not None
                else {
                    "id": "",
                    "kind": charge["kind"],
                    "name": charge["description"],
                    "monthly_price": money(old_price, cur),
                    "down_mbps": None,
                    "up_mbps": None,
                    "data_cap_gb": None,
                }
            ),
            "new_plan": plan_dict(plan, cur),
            "direction": "UPGRADE" if upgrade else "DOWNGRADE",
            "effective_on": (today if upgrade else cycle.next_invoice_on).isoformat(),
            "period_start": cycle.period_start.isoformat(),
            "period_end": cycle.period_end.isoformat(),
            "days_remaining": (cycle.period_end - today).days + 1,
            "days_in_period": (cycle.period_end - cycle.period_start).days + 1,
            "credit": money(credit, cur),
            "charge": money(charged, cur),
            "net": money(charged - credit, cur),
            "next_monthly_charge": money(new_price + addons, cur),
            "replaces_scheduled": scheduled is not None,
        }

    def preview_plan_change(self, subservice_id: str, plan_id: str) -> dict[str, Any]:
        return self._preview(self._charge(subservice_id), plan_id)

    def change_plan(self, subservice_id: str, plan_id: str) -> dict[str, Any]:
        """Apply an upgrade at once (with its proration lines for the next invoice) or schedule a downgrade
        for the next period; a change scheduled before is replaced either way."""
        with self.db.transaction():
            charge = self._charge(subservice_id)
            preview = self._preview(charge, plan_id)
            cur = charge["currency"]
            plan = PLANS_BY_ID[plan_id]
            self.db.execute(
                "UPDATE plan_changes SET status = 'CANCELLED' WHERE subservice_id = ? AND status = 'SCHEDULED'",
                (subservice_id,),
            )
            seq = self.next_seq("plan_changes")
            change_id = f"pc_{seq:07d}"
            upgrade = preview["direction"] == "UPGRADE"
            self.db.execute(
                "INSERT INTO plan_changes (id, seq, subservice_id, subscriber_id, from_plan, to_plan_id, direction,"
                " requested_at, effective_on, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    change_id,
                    seq,
                    subservice_id,
                    charge["subscriber_id"],
                    charge["description"],
                    plan.id,
                    preview["direction"],
                    clock.iso(clock.now()),
                    preview["effective_on"],
                    "APPLIED" if upgrade else "SCHEDULED",
                ),
            )
            if upgrade:
                self._apply_plan(subservice_id, plan, cur)
                period = f"{preview['effective_on']} to {preview['period_end']}"
                credit = to_minor(preview["credit"]["amount"], cur)
                charged = to_minor(preview["charge"]["amount"], cur)
                self.db.executemany(
                    "INSERT INTO plan_adjustments (subservice_id, subscriber_id, plan_change_id, description,"
                    " amount) VALUES (?, ?, ?, ?, ?)",
                    [
                        (
                            subservice_id,
                            charge["subscriber_id"],
                            change_id,
                            f"Credit for unused {charge['description']}, {period}",
                            -credit,
                        ),
                        (
                            subservice_id,
                            charge["subscriber_id"],
                            change_id,
                            f"{plan.name}, {period}",
                            charged,
                        ),
                    ],
                )
            self.outbox.emit(
                "subservice.plan_changed",
                subscriber_id=charge["subscriber_id"],
                subservice_id=subservice_id,
                data={
                    "subservice_id": subservice_id,
                    "plan_id": plan.id,
                    "status": "APPLIED" if upgrade else "SCHEDULED",
                    "effective_on": preview["effective_on"],
                },
            )
            return {**preview, "change_id": change_id, "status": "APPLIED" if upgrade else "SCHEDULED"}

    def _apply_plan(self, subservice_id: str, plan: CataloguePlan, currency: str) -> None:
        self.db.execute(
            "UPDATE charges SET description = ?, monthly_price = ? WHERE subservice_id = ?",
            (plan.name, round_to_minor(plan.monthly_price, currency), subservice_id),
        )

    def apply_scheduled_changes(
        self, as_of: date, subscriber_id: str | None
    ) -> list[tuple[str, CataloguePlan]]:
        """Apply the downgrades due by `as_of` (the billing run, before it issues the period); returns
        (sub-service id, plan) for AAA. Call inside a transaction."""
        sql = (
            "SELECT p.*, a.currency FROM plan_changes p JOIN accounts a USING (subscriber_id)"
            " WHERE p.status = 'SCHEDULED' AND p.effective_on <= ?"
        )
        params: list[Any] = [as_of.isoformat()]
        if subscriber_id is not None:
            sql += " AND p.subscriber_id = ?"
            params.append(subscriber_id)
        applied = []
        for row in self.db.all(sql + " ORDER BY p.seq", params):
            plan = PLANS_BY_ID[row["to_plan_id"]]
            self._apply_plan(row["subservice_id"], plan, row["currency"])
            self.db.execute("UPDATE plan_changes SET status = 'APPLIED' WHERE id = ?", (row["id"],))
            applied.append((row["subservice_id"], plan))
        return applied

    def unbilled_adjustments(self, subscriber_id: str) -> dict[str, list[tuple[str, int]]]:
        adjustments: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for r in self.db.all(
            "SELECT * FROM plan_adjustments WHERE subscriber_id = ? AND invoice_id IS NULL ORDER BY id",
            (subscriber_id,),
        ):
            adjustments[r["subservice_id"]].append((r["description"], r["amount"]))
        return adjustments

    # ---- add-ons -----------------------------------------------------------------------------------------
    def buy_add_on(
        self,
        subservice_id: str,
        add_on_id: str,
        paid_by: str,
        *,
        external_ref: str | None = None,
        paid: Decimal | None = None,
        currency: str | None = None,
    ) -> tuple[dict[str, Any], bool]:
        """Buy an add-on for the sub-service. WALLET: charged to the wallet now. CARD: `external_ref` is the
        gateway payment that paid `paid` (in `currency`): recorded once per reference, whatever the price says
        now. Returns (result, created)."""
        with self.db.transaction():
            if external_ref is not None:
                previous = self.db.one("SELECT * FROM add_on_purchases WHERE reference = ?", (external_ref,))
                if previous is not None:
                    if previous["subservice_id"] != subservice_id or previous["add_on_id"] != add_on_id:
                        raise conflict(
                            "IDEMPOTENCY_CONFLICT", "this payment was recorded for another purchase"
                        )
                    return {**self._purchase(previous), "duplicate": True}, False
            charge = self._charge(subservice_id)
            cur = charge["currency"]
            addon = ADD_ONS_BY_ID.get(add_on_id)
            if addon is None or addon.kind != charge["kind"]:
                raise invalid("no add-on with this id is offered for this sub-service", "UNKNOWN_ADD_ON")
            owned = {
                r["description"]
                for r in self.db.all(
                    "SELECT description FROM charge_addons WHERE subservice_id = ?", (subservice_id,)
                )
            }
            if addon.billing == "MONTHLY" and addon.name in owned:
                raise conflict("ALREADY_ACTIVE", f"{addon.name} is already on this sub-service")
            subscriber_id = charge["subscriber_id"]
            if paid_by == "CARD":
                if external_ref is None or paid is None or currency is None:
                    raise invalid(
                        "a card purchase names its payment: `external_ref`, `amount` and `currency`"
                    )
                if currency != cur:
                    raise conflict("CURRENCY_MISMATCH", f"the account is billed in {cur}")
                amount = self.minor_units(paid, cur)
            else:
                amount = self._addon_now(addon, charge)
                if self.wallet_minor(subscriber_id) < amount:
                    raise conflict("INSUFFICIENT_BALANCE", f"the wallet balance does not cover {addon.name}")
            seq = self.next_seq("add_on_purchases")
            purchase_id = f"aop_{seq:07d}"
            self.db.execute(
                "INSERT INTO add_on_purchases (id, seq, subservice_id, subscriber_id, add_on_id, name, billing,"
                " amount, currency, paid_by, reference, data_gb, created_at) VALUES"
                " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    purchase_id,
                    seq,
                    subservice_id,
                    subscriber_id,
                    addon.id,
                    addon.name,
                    addon.billing,
                    amount,
                    cur,
                    paid_by,
                    external_ref,
                    addon.data_gb,
                    clock.iso(clock.now()),
                ),
            )
            if addon.billing == "MONTHLY":
                self.db.execute(
                    "INSERT INTO charge_addons (subservice_id, description, monthly_price) VALUES (?, ?, ?)",
                    (subservice_id, addon.name, round_to_minor(addon.price, cur)),
                )
            if paid_by == "WALLET" and amount > 0:
                self.add_wallet_entry(
                    subscriber_id,
                    "ADD_ON",
                    -amount,
                    f"{addon.name} for {charge['label']}",
                    reference=f"add-on:{purchase_id}",
                    subservice_id=subservice_id,
                )
            self.outbox.emit(
                "subservice.add_on_bought",
                subscriber_id=subscriber_id,
                subservice_id=subservice_id,
                data={"subservice_id": subservice_id, "add_on_id": addon.id, "purchase_id": purchase_id},
            )
            row = self.db.one("SELECT * FROM add_on_purchases WHERE id = ?", (purchase_id,))
            return {**self._purchase(row), "duplicate": False}, True

    def _purchase(self, row: Any) -> dict[str, Any]:
        cur = row["currency"]
        return {
            "id": row["id"],
            "subservice_id": row["subservice_id"],
            "subscriber_id": row["subscriber_id"],
            "add_on_id": row["add_on_id"],
            "name": row["name"],
            "billing": row["billing"],
            "charged": money(row["amount"], cur),
            "paid_by": row["paid_by"],
            "data_gb": row["data_gb"],
            "created_at": row["created_at"],
            "wallet_balance": money(self.wallet_minor(row["subscriber_id"]), cur),
        }
