"""`HttpBilling`: the Billing port over the WISPGate core's Billing REST API."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

from adapters.ports.billing import (
    CARD_BRANDS,
    INVOICE_MODES,
    INVOICE_STATUSES,
    PAYMENT_METHOD_KINDS,
    WALLET_ENTRY_KINDS,
    BillingAccount,
    BillingPort,
    ChargeLine,
    Cycle,
    GiftCardResult,
    InstallmentPlan,
    Invoice,
    InvoiceLine,
    Payment,
    PaymentMethod,
    PaymentResult,
    RenewalResult,
    SubServiceBilling,
    WalletApplyResult,
    WalletCreditResult,
    WalletPage,
    WalletTransaction,
)
from adapters.ports.money import Money
from adapters.wispgate.client import CoreClient
from adapters.wispgate.wire import Fields

T = TypeVar("T")


def seg(value: str) -> str:
    """An id as one path segment, whatever characters it holds."""
    return quote(value, safe="")


def wire_amount(amount: Money) -> str:
    return f"{amount.amount:.2f}"


# ---- parsing ------------------------------------------------------------------------------------------
def parse_money(f: Fields) -> Money:
    return Money(f.decimal("amount"), f.text("currency"))


def parse_cycle(f: Fields) -> Cycle:
    return Cycle(f.day("period_start"), f.day("period_end"), f.day("next_invoice_on"))


def parse_account(f: Fields) -> BillingAccount:
    return BillingAccount(
        subscriber_id=f.text("subscriber_id"),
        account_number=f.text("account_number"),
        currency=f.text("currency"),
        invoice_mode=f.enum("invoice_mode", INVOICE_MODES),
        billing_day=f.integer("billing_day"),
        grace_days=f.integer("grace_days"),
        autopay=f.flag("autopay"),
        default_payment_method_id=f.opt_text("default_payment_method_id"),
        gateway_customer_id=f.opt_text("gateway_customer_id"),
        cycle=parse_cycle(f.obj("cycle")),
        outstanding=parse_money(f.obj("outstanding")),
        overdue=parse_money(f.obj("overdue")),
        next_due_on=f.opt_day("next_due_on"),
        wallet_balance=parse_money(f.obj("wallet_balance")),
    )


def parse_charge_line(f: Fields) -> ChargeLine:
    return ChargeLine(f.text("description"), parse_money(f.obj("amount")))


def parse_subservice_billing(f: Fields) -> SubServiceBilling:
    cycle = f.opt_obj("cycle")
    return SubServiceBilling(
        subservice_id=f.text("subservice_id"),
        subscriber_id=f.text("subscriber_id"),
        description=f.text("description"),
        monthly_charge=parse_money(f.obj("monthly_charge")),
        charge_lines=tuple(f.objects("charge_lines", parse_charge_line)),
        outstanding=parse_money(f.obj("outstanding")),
        cycle=parse_cycle(cycle) if cycle is not None else None,
        next_invoice_on=f.opt_day("next_invoice_on"),
        open_invoice_ids=tuple(f.texts("open_invoice_ids")),
        prepaid=f.flag("prepaid"),
        expires_at=f.opt_moment("expires_at"),
    )


def parse_line(f: Fields) -> InvoiceLine:
    return InvoiceLine(f.opt_text("subservice_id"), f.text("description"), parse_money(f.obj("amount")))


def parse_invoice(f: Fields) -> Invoice:
    return Invoice(
        id=f.text("id"),
        number=f.text("number"),
        subscriber_id=f.text("subscriber_id"),
        subservice_id=f.opt_text("subservice_id"),
        status=f.enum("status", INVOICE_STATUSES),
        issued_on=f.day("issued_on"),
        due_on=f.day("due_on"),
        period_start=f.day("period_start"),
        period_end=f.day("period_end"),
        total=parse_money(f.obj("total")),
        amount_paid=parse_money(f.obj("amount_paid")),
        balance=parse_money(f.obj("balance")),
        lines=tuple(f.objects("lines", parse_line)),
        subservice_ids=tuple(f.texts("subservice_ids")),
    )


def parse_entry(f: Fields) -> WalletTransaction:
    return WalletTransaction(
        id=f.text("id"),
        kind=f.enum("kind", WALLET_ENTRY_KINDS),
        amount=parse_money(f.obj("amount")),
        description=f.text("description"),
        reference=f.opt_text("reference"),
        invoice_id=f.opt_text("invoice_id"),
        subservice_id=f.opt_text("subservice_id"),
        created_at=f.moment("created_at"),
    )


def parse_payment(f: Fields) -> Payment:
    return Payment(
        id=f.text("id"),
        external_ref=f.text("external_ref"),
        invoice_id=f.text("invoice_id"),
        subscriber_id=f.text("subscriber_id"),
        amount=parse_money(f.obj("amount")),
        applied=parse_money(f.obj("applied")),
        method=f.enum("method", PAYMENT_METHOD_KINDS),
        recorded_at=f.moment("recorded_at"),
    )


def parse_method(f: Fields) -> PaymentMethod:
    return PaymentMethod(
        id=f.text("id"),
        brand=f.enum("brand", CARD_BRANDS),
        last4=f.text("last4"),
        exp_month=f.integer("exp_month"),
        exp_year=f.integer("exp_year"),
        is_default=f.flag("is_default"),
        created_at=f.moment("created_at"),
    )


def parse_plan(f: Fields) -> InstallmentPlan:
    return InstallmentPlan(
        id=f.text("id"),
        subservice_id=f.text("subservice_id"),
        description=f.text("description"),
        total=parse_money(f.obj("total")),
        paid_amount=parse_money(f.obj("paid_amount")),
        remaining=parse_money(f.obj("remaining")),
        installments_total=f.integer("installments_total"),
        installments_paid=f.integer("installments_paid"),
        amount_each=parse_money(f.obj("amount_each")),
        next_due_on=f.opt_day("next_due_on"),
        progress=f.decimal("progress"),
    )


def parse_wallet(f: Fields) -> tuple[str, Money]:
    return f.text("subscriber_id"), parse_money(f.obj("balance"))


class HttpBilling:
    def __init__(self, client: CoreClient) -> None:
        self.client = client

    # ---- reads ---------------------------------------------------------------------------------------
    async def accounts(self, subscriber_ids: Sequence[str]) -> dict[str, BillingAccount]:
        items = await self.client.batch("/v1/accounts:batch", subscriber_ids, parse_account)
        return {a.subscriber_id: a for a in items}

    async def subservice_billing(self, subservice_ids: Sequence[str]) -> dict[str, SubServiceBilling]:
        items = await self.client.batch(
            "/v1/subservice-billing:batch", subservice_ids, parse_subservice_billing
        )
        return {s.subservice_id: s for s in items}

    async def invoices(self, invoice_ids: Sequence[str]) -> dict[str, Invoice]:
        items = await self.client.batch("/v1/invoices:batch", invoice_ids, parse_invoice)
        return {i.id: i for i in items}

    async def invoice(self, invoice_id: str) -> Invoice:
        return parse_invoice(await self.client.call("GET", f"/v1/invoices/{seg(invoice_id)}"))

    async def _invoice_query(
        self, path: str, ids: Sequence[str], status: str | None, keys: Callable[[Invoice], Sequence[str]]
    ) -> dict[str, list[Invoice]]:
        extra = {"status": status} if status else None
        found = await self.client.batch(path, ids, parse_invoice, extra)
        grouped: dict[str, list[Invoice]] = {i: [] for i in dict.fromkeys(ids)}
        # Chunks may return the same invoice twice (lines for ids in two chunks): keep one of each.
        unique = list({inv.id: inv for inv in found}.values())
        unique.sort(key=lambda inv: inv.issued_on, reverse=True)  # stable: the core's order within a day
        for inv in unique:
            for key in dict.fromkeys(keys(inv)):
                if key in grouped:
                    grouped[key].append(inv)
        return grouped

    async def invoices_for_subscribers(
        self, subscriber_ids: Sequence[str], status: str | None = None
    ) -> dict[str, list[Invoice]]:
        return await self._invoice_query(
            "/v1/invoices:by-subscriber", subscriber_ids, status, lambda inv: (inv.subscriber_id,)
        )

    async def invoices_for_subservices(
        self, subservice_ids: Sequence[str], status: str | None = None
    ) -> dict[str, list[Invoice]]:
        return await self._invoice_query(
            "/v1/invoices:by-subservice", subservice_ids, status, lambda inv: inv.subservice_ids
        )

    async def invoice_pdf(self, invoice_id: str) -> bytes:
        return await self.client.call_bytes("GET", f"/v1/invoices/{seg(invoice_id)}/pdf")

    async def statement_pdf(self, subscriber_id: str, subservice_ids: Sequence[str] | None = None) -> bytes:
        params = {"subservice_ids": ",".join(subservice_ids)} if subservice_ids is not None else None
        return await self.client.call_bytes(
            "GET", f"/v1/subscribers/{seg(subscriber_id)}/statement.pdf", params=params
        )

    async def wallet_balances(self, subscriber_ids: Sequence[str]) -> dict[str, Money]:
        return dict(await self.client.batch("/v1/wallets:batch", subscriber_ids, parse_wallet))

    async def wallet_transactions(
        self, subscriber_id: str, *, limit: int = 20, before: str | None = None
    ) -> WalletPage:
        params: dict[str, Any] = {"limit": limit}
        if before is not None:
            params["before"] = before
        body = await self.client.call(
            "GET", f"/v1/subscribers/{seg(subscriber_id)}/wallet/transactions", params=params
        )
        return WalletPage(
            items=tuple(body.objects("items", parse_entry)),
            next_cursor=body.opt_text("next_cursor"),
            total_count=body.integer("total_count"),
            balance=parse_money(body.obj("balance")),
        )

    async def installments(self, subservice_ids: Sequence[str]) -> dict[str, list[InstallmentPlan]]:
        grouped: dict[str, list[InstallmentPlan]] = {i: [] for i in dict.fromkeys(subservice_ids)}
        for plan in await self.client.batch("/v1/installments:batch", subservice_ids, parse_plan):
            grouped.setdefault(plan.subservice_id, []).append(plan)
        return grouped

    async def payment_methods(self, subscriber_id: str) -> list[PaymentMethod]:
        body = await self.client.call("GET", f"/v1/subscribers/{seg(subscriber_id)}/payment-methods")
        return body.objects("items", parse_method)

    # ---- writes --------------------------------------------------------------------------------------
    async def record_payment(
        self, *, external_ref: str, invoice_id: str, amount: Money, method: str
    ) -> PaymentResult:
        body = await self.client.call(
            "POST",
            "/v1/payments",
            json_body={
                "external_ref": external_ref,
                "invoice_id": invoice_id,
                "amount": wire_amount(amount),
                "currency": amount.currency,
                "method": method,
            },
        )
        credit = body.opt_obj("wallet_credit")
        return PaymentResult(
            payment=parse_payment(body.obj("payment")),
            invoice=parse_invoice(body.obj("invoice")),
            wallet_credit=parse_money(credit) if credit is not None else None,
            duplicate=body.flag("duplicate"),
        )

    async def credit_wallet(
        self, *, subscriber_id: str, amount: Money, external_ref: str, description: str | None = None
    ) -> WalletCreditResult:
        payload: dict[str, Any] = {
            "subscriber_id": subscriber_id,
            "kind": "TOPUP",
            "amount": wire_amount(amount),
            "external_ref": external_ref,
        }
        if description:
            payload["description"] = description
        body = await self.client.call("POST", "/v1/wallet/credits", json_body=payload)
        return WalletCreditResult(
            entry=parse_entry(body.obj("entry")),
            wallet_balance=parse_money(body.obj("wallet_balance")),
            duplicate=body.flag("duplicate"),
        )

    async def apply_wallet(
        self, *, subscriber_id: str, invoice_id: str, idempotency_key: str, amount: Money | None = None
    ) -> WalletApplyResult:
        payload: dict[str, Any] = {
            "subscriber_id": subscriber_id,
            "invoice_id": invoice_id,
            "idempotency_key": idempotency_key,
        }
        if amount is not None:
            payload["amount"] = wire_amount(amount)
        body = await self.client.call("POST", "/v1/wallet/apply", json_body=payload)
        return WalletApplyResult(
            payment=parse_payment(body.obj("payment")),
            invoice=parse_invoice(body.obj("invoice")),
            wallet_balance=parse_money(body.obj("wallet_balance")),
            duplicate=body.flag("duplicate"),
        )

    async def redeem_gift_card(self, *, subscriber_id: str, code: str) -> GiftCardResult:
        body = await self.client.call(
            "POST", "/v1/gift-cards/redeem", json_body={"subscriber_id": subscriber_id, "code": code}
        )
        return GiftCardResult(
            code=body.text("code"),
            value=parse_money(body.obj("value")),
            entry=parse_entry(body.obj("entry")),
            wallet_balance=parse_money(body.obj("wallet_balance")),
        )

    async def renew_subservice(self, subservice_id: str, *, idempotency_key: str) -> RenewalResult:
        body = await self.client.call(
            "POST",
            f"/v1/subservices/{seg(subservice_id)}/renew",
            json_body={"idempotency_key": idempotency_key},
        )
        return RenewalResult(
            subservice_id=body.text("subservice_id"),
            expires_at=body.moment("expires_at"),
            charged=parse_money(body.obj("charged")),
            entry=parse_entry(body.obj("entry")),
            wallet_balance=parse_money(body.obj("wallet_balance")),
            duplicate=body.flag("duplicate"),
        )

    async def add_payment_method(
        self,
        subscriber_id: str,
        *,
        gateway_token: str,
        brand: str,
        last4: str,
        exp_month: int,
        exp_year: int,
        make_default: bool = False,
    ) -> PaymentMethod:
        body = await self.client.call(
            "POST",
            f"/v1/subscribers/{seg(subscriber_id)}/payment-methods",
            json_body={
                "gateway_token": gateway_token,
                "brand": brand,
                "last4": last4,
                "exp_month": exp_month,
                "exp_year": exp_year,
                "make_default": make_default,
            },
        )
        return parse_method(body)

    async def remove_payment_method(self, subscriber_id: str, payment_method_id: str) -> list[PaymentMethod]:
        body = await self.client.call(
            "DELETE", f"/v1/subscribers/{seg(subscriber_id)}/payment-methods/{seg(payment_method_id)}"
        )
        return body.objects("items", parse_method)

    async def set_default_payment_method(
        self, subscriber_id: str, payment_method_id: str
    ) -> list[PaymentMethod]:
        body = await self.client.call(
            "POST", f"/v1/subscribers/{seg(subscriber_id)}/payment-methods/{seg(payment_method_id)}/default"
        )
        return body.objects("items", parse_method)

    async def set_autopay(self, subscriber_id: str, enabled: bool) -> BillingAccount:
        body = await self.client.call(
            "PUT", f"/v1/subscribers/{seg(subscriber_id)}/autopay", json_body={"enabled": enabled}
        )
        return parse_account(body)

    async def set_gateway_customer(self, subscriber_id: str, gateway_customer_id: str) -> BillingAccount:
        body = await self.client.call(
            "PUT",
            f"/v1/subscribers/{seg(subscriber_id)}/gateway-customer",
            json_body={"gateway_customer_id": gateway_customer_id},
        )
        return parse_account(body)


if TYPE_CHECKING:

    def _implements_port(client: CoreClient) -> BillingPort:
        # mypy proves here that HttpBilling satisfies BillingPort.
        return HttpBilling(client)
