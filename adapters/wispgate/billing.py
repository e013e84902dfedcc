"""`HttpBilling`: the Billing port over the WISPGate core's Billing REST API. Answers decode straight into the
port's records (`adapters.decode`); amounts go out with their currency's decimals (`wire_amount`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from msgspec import Struct

from adapters.decode import Items
from adapters.errors import Rejected
from adapters.ports.billing import (
    AddOnPayment,
    AddOnPurchase,
    BilledSubService,
    BillingAccount,
    BillingPort,
    Dunning,
    GiftCardResult,
    InstallmentPlan,
    Invoice,
    Offers,
    PaymentMethod,
    PaymentRecord,
    PaymentResult,
    PlanChangePreview,
    PlanChangeResult,
    RenewalResult,
    Statement,
    SubServiceBilling,
    WalletApplyResult,
    WalletCreditResult,
    WalletPage,
)
from adapters.ports.money import AmountNotExact, Money
from adapters.ports.money import wire_amount as exact_amount
from adapters.ports.window import Covered, SubscriberWindow
from adapters.wispgate.client import CoreClient, keyed
from adapters.wispgate.window import read_window


def seg(value: str) -> str:
    """An id as one path segment, whatever characters it holds."""
    return quote(value, safe="")


def wire_amount(amount: Money) -> str:
    """The amount with its currency's decimals ("5000" JPY, "49.99" USD, "1.234" KWD). One finer than the
    currency allows is refused here, as Billing would refuse it, rather than rounded on its way."""
    try:
        return exact_amount(amount)
    except AmountNotExact as exc:
        raise Rejected("billing", "AMOUNT_INVALID", str(exc)) from None


def _statement_params(
    subservice_ids: Sequence[str] | None, start: date | None, end: date | None
) -> dict[str, Any]:
    params: dict[str, Any] = {}
    if subservice_ids is not None:
        params["subservice_ids"] = ",".join(subservice_ids)
    if start is not None:
        params["from"] = start.isoformat()
    if end is not None:
        params["to"] = end.isoformat()
    return params


class _Wallet(Struct, frozen=True, gc=False):
    subscriber_id: str
    balance: Money


class HttpBilling:
    def __init__(self, client: CoreClient) -> None:
        self.client = client

    # ---- reads ---------------------------------------------------------------------------------------
    async def accounts(self, subscriber_ids: Sequence[str]) -> dict[str, BillingAccount]:
        items = await self.client.batch("/v1/accounts:batch", subscriber_ids, BillingAccount)
        return {a.subscriber_id: a for a in items}

    async def subservice_billing(self, subservice_ids: Sequence[str]) -> dict[str, SubServiceBilling]:
        items = await self.client.batch("/v1/subservice-billing:batch", subservice_ids, SubServiceBilling)
        return {s.subservice_id: s for s in items}

    async def subservice_billing_of(self, window: SubscriberWindow) -> Covered[SubServiceBilling]:
        body = await read_window(
            self.client, "/v1/subservice-billing:by-subscriber", window, SubServiceBilling
        )
        return Covered(frozenset(body.subservice_ids), {s.subservice_id: s for s in body.items})

    async def subservices_of_account(self, subscriber_id: str) -> list[BilledSubService]:
        path = f"/v1/accounts/{seg(subscriber_id)}/subservices"
        return (await self.client.call("GET", path, Items[BilledSubService])).items

    async def billed_subservices(self, subservice_ids: Sequence[str]) -> dict[str, BilledSubService]:
        items = await self.client.batch("/v1/subservices:batch", subservice_ids, BilledSubService)
        return {s.subservice_id: s for s in items}

    async def invoices(self, invoice_ids: Sequence[str]) -> dict[str, Invoice]:
        items = await self.client.batch("/v1/invoices:batch", invoice_ids, Invoice)
        return {i.id: i for i in items}

    async def invoice(self, invoice_id: str) -> Invoice:
        return await self.client.call("GET", f"/v1/invoices/{seg(invoice_id)}", Invoice)

    async def _invoice_query(
        self, path: str, ids: Sequence[str], status: str | None, keys: Callable[[Invoice], Sequence[str]]
    ) -> dict[str, list[Invoice]]:
        extra = {"status": status} if status else None
        found = await self.client.batch(path, ids, Invoice, extra)
        grouped: dict[str, list[Invoice]] = {i: [] for i in dict.fromkeys(ids)}
        # Chunks may return the same invoice twice (lines for ids in two chunks): keep one of each.
        unique = list({inv.id: inv for inv in found}.values())
        unique.sort(key=lambda inv: inv.issued_on, reverse=True)  # stable: the core's order within a day
        for inv in unique:
            for key in dict.fromkeys(keys(inv)):
                if key in grouped:
                    grouped[key].append(inv)
        return grouped

    async def dunning(self, invoice_ids: Sequence[str]) -> dict[str, Dunning]:
        items = await self.client.batch("/v1/dunning:by-invoice", invoice_ids, Dunning)
        return {d.invoice_id: d for d in items}

    async def dunning_for_subscribers(self, subscriber_ids: Sequence[str]) -> dict[str, list[Dunning]]:
        items = await self.client.batch("/v1/dunning:by-subscriber", subscriber_ids, Dunning)
        grouped: dict[str, list[Dunning]] = {i: [] for i in subscriber_ids}
        for d in items:
            grouped.setdefault(d.subscriber_id, []).append(d)
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

    async def invoice_pdf(self, invoice_id: str, locale: str | None = None) -> bytes:
        params = {"locale": locale} if locale else None
        return await self.client.call_bytes("GET", f"/v1/invoices/{seg(invoice_id)}/pdf", params=params)

    async def statement_pdf(
        self,
        subscriber_id: str,
        subservice_ids: Sequence[str] | None = None,
        start: date | None = None,
        end: date | None = None,
        locale: str | None = None,
    ) -> bytes:
        params = _statement_params(subservice_ids, start, end)
        if locale:
            params["locale"] = locale
        return await self.client.call_bytes(
            "GET", f"/v1/subscribers/{seg(subscriber_id)}/statement.pdf", params=params or None
        )

    async def statement(
        self,
        subscriber_id: str,
        start: date | None = None,
        end: date | None = None,
        subservice_ids: Sequence[str] | None = None,
    ) -> Statement:
        params = _statement_params(subservice_ids, start, end)
        return await self.client.call(
            "GET", f"/v1/subscribers/{seg(subscriber_id)}/statement", Statement, params=params
        )

    async def payments_of(
        self, subscriber_id: str, start: date | None = None, end: date | None = None
    ) -> list[PaymentRecord]:
        params = _statement_params(None, start, end)
        path = f"/v1/subscribers/{seg(subscriber_id)}/payments"
        return (await self.client.call("GET", path, Items[PaymentRecord], params=params)).items

    async def payments_for_invoices(self, invoice_ids: Sequence[str]) -> dict[str, list[PaymentRecord]]:
        grouped: dict[str, list[PaymentRecord]] = {i: [] for i in dict.fromkeys(invoice_ids)}
        for payment in await self.client.batch("/v1/payments:by-invoice", invoice_ids, PaymentRecord):
            grouped.setdefault(payment.invoice_id, []).append(payment)
        return grouped

    async def receipt_pdf(self, payment_id: str) -> bytes:
        return await self.client.call_bytes("GET", f"/v1/payments/{seg(payment_id)}/receipt.pdf")

    async def wallet_balances(self, subscriber_ids: Sequence[str]) -> dict[str, Money]:
        wallets = await self.client.batch("/v1/wallets:batch", subscriber_ids, _Wallet)
        return {w.subscriber_id: w.balance for w in wallets}

    async def wallet_transactions(
        self, subscriber_id: str, *, limit: int = 20, before: str | None = None
    ) -> WalletPage:
        params: dict[str, Any] = {"limit": limit}
        if before is not None:
            params["before"] = before
        return await self.client.call(
            "GET", f"/v1/subscribers/{seg(subscriber_id)}/wallet/transactions", WalletPage, params=params
        )

    async def installments(self, subservice_ids: Sequence[str]) -> dict[str, list[InstallmentPlan]]:
        grouped: dict[str, list[InstallmentPlan]] = {i: [] for i in dict.fromkeys(subservice_ids)}
        for plan in await self.client.batch("/v1/installments:batch", subservice_ids, InstallmentPlan):
            grouped.setdefault(plan.subservice_id, []).append(plan)
        return grouped

    async def payment_methods(self, subscriber_id: str) -> list[PaymentMethod]:
        path = f"/v1/subscribers/{seg(subscriber_id)}/payment-methods"
        return (await self.client.call("GET", path, Items[PaymentMethod])).items

    async def offers(self, subservice_ids: Sequence[str]) -> dict[str, Offers]:
        items = await self.client.batch("/v1/offers:batch", subservice_ids, Offers)
        return {o.subservice_id: o for o in items}

    async def preview_plan_change(self, subservice_id: str, plan_id: str) -> PlanChangePreview:
        return await self.client.call(
            "POST",
            f"/v1/subservices/{seg(subservice_id)}/plan-change:preview",
            PlanChangePreview,
            json_body={"plan_id": plan_id},
        )

    # ---- writes --------------------------------------------------------------------------------------
    async def change_plan(
        self, subservice_id: str, plan_id: str, *, idempotency_key: str
    ) -> PlanChangeResult:
        return await self.client.call(
            "POST",
            f"/v1/subservices/{seg(subservice_id)}/plan-change",
            PlanChangeResult,
            json_body={"plan_id": plan_id},
            headers=keyed(idempotency_key),
        )

    async def buy_add_on(
        self,
        subservice_id: str,
        add_on_id: str,
        *,
        paid_by: AddOnPayment,
        idempotency_key: str,
        external_ref: str | None = None,
        amount: Money | None = None,
    ) -> AddOnPurchase:
        payload: dict[str, Any] = {"add_on_id": add_on_id, "paid_by": paid_by}
        if external_ref is not None:
            payload["external_ref"] = external_ref
        if amount is not None:
            payload["amount"] = wire_amount(amount)
            payload["currency"] = amount.currency
        return await self.client.call(
            "POST",
            f"/v1/subservices/{seg(subservice_id)}/add-ons",
            AddOnPurchase,
            json_body=payload,
            headers=keyed(idempotency_key),
        )

    async def record_payment(
        self,
        *,
        external_ref: str,
        invoice_id: str,
        amount: Money,
        method: str,
        idempotency_key: str | None = None,
    ) -> PaymentResult:
        return await self.client.call(
            "POST",
            "/v1/payments",
            PaymentResult,
            json_body={
                "external_ref": external_ref,
                "invoice_id": invoice_id,
                "amount": wire_amount(amount),
                "currency": amount.currency,
                "method": method,
            },
            headers=keyed(idempotency_key),
        )

    async def credit_wallet(
        self,
        *,
        subscriber_id: str,
        amount: Money,
        external_ref: str,
        description: str | None = None,
        idempotency_key: str | None = None,
    ) -> WalletCreditResult:
        payload: dict[str, Any] = {
            "subscriber_id": subscriber_id,
            "kind": "TOPUP",
            "amount": wire_amount(amount),
            "external_ref": external_ref,
        }
        if description:
            payload["description"] = description
        return await self.client.call(
            "POST",
            "/v1/wallet/credits",
            WalletCreditResult,
            json_body=payload,
            headers=keyed(idempotency_key),
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
        return await self.client.call("POST", "/v1/wallet/apply", WalletApplyResult, json_body=payload)

    async def redeem_gift_card(self, *, subscriber_id: str, code: str) -> GiftCardResult:
        payload = {"subscriber_id": subscriber_id, "code": code}
        return await self.client.call("POST", "/v1/gift-cards/redeem", GiftCardResult, json_body=payload)

    async def renew_subservice(self, subservice_id: str, *, idempotency_key: str) -> RenewalResult:
        return await self.client.call(
            "POST",
            f"/v1/subservices/{seg(subservice_id)}/renew",
            RenewalResult,
            json_body={"idempotency_key": idempotency_key},
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
        return await self.client.call(
            "POST",
            f"/v1/subscribers/{seg(subscriber_id)}/payment-methods",
            PaymentMethod,
            json_body={
                "gateway_token": gateway_token,
                "brand": brand,
                "last4": last4,
                "exp_month": exp_month,
                "exp_year": exp_year,
                "make_default": make_default,
            },
        )

    async def remove_payment_method(self, subscriber_id: str, payment_method_id: str) -> list[PaymentMethod]:
        path = f"/v1/subscribers/{seg(subscriber_id)}/payment-methods/{seg(payment_method_id)}"
        return (await self.client.call("DELETE", path, Items[PaymentMethod])).items

    async def set_default_payment_method(
        self, subscriber_id: str, payment_method_id: str
    ) -> list[PaymentMethod]:
        path = f"/v1/subscribers/{seg(subscriber_id)}/payment-methods/{seg(payment_method_id)}/default"
        return (await self.client.call("POST", path, Items[PaymentMethod])).items

    async def set_autopay(self, subscriber_id: str, enabled: bool) -> BillingAccount:
        return await self.client.call(
            "PUT",
            f"/v1/subscribers/{seg(subscriber_id)}/autopay",
            BillingAccount,
            json_body={"enabled": enabled},
        )

    async def set_gateway_customer(self, subscriber_id: str, gateway_customer_id: str) -> BillingAccount:
        return await self.client.call(
            "PUT",
            f"/v1/subscribers/{seg(subscriber_id)}/gateway-customer",
            BillingAccount,
            json_body={"gateway_customer_id": gateway_customer_id},
        )


if TYPE_CHECKING:

    def _implements_port(client: CoreClient) -> BillingPort:
        # mypy proves here that HttpBilling satisfies BillingPort.
        return HttpBilling(client)
