"""Billing's HTTP surface: thin handlers that validate, call a BillingService method and shape the answer.

The contract for every route is `adapters/wispgate/openapi/billing.yaml`.
"""

from __future__ import annotations

from datetime import date

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from sandbox.billing.api import validate
from sandbox.billing.config import CARD_BRANDS, INVOICE_STATUSES, MAX_PAGE, PAYMENT_METHODS
from sandbox.billing.service import BillingService
from sandbox.billing.service.activity import period
from sandbox.common.http import invalid, ok, read_ids, read_object
from sandbox.common.idempotency import RequestKeys
from sandbox.common.window import read_window

MAX_YEAR = 9999


def _chosen(request: Request) -> list[str] | None:
    raw = request.query_params.get("subservice_ids")
    return None if raw is None else [s.strip() for s in raw.split(",") if s.strip()]


def _pdf(content: bytes, filename: str) -> Response:
    return Response(
        content,
        media_type="application/pdf",
        headers={"content-disposition": f'inline; filename="{filename}"'},
    )


class BillingApi:
    """One method per route; `routes()` lists them."""

    def __init__(self, service: BillingService) -> None:
        self.service = service
        # `Idempotency-Key` on the writes a webhook makes (payments, top-ups): see the module.
        self.keys = RequestKeys(service.db)

    async def accounts_batch(self, request: Request) -> Response:
        return ok({"items": self.service.accounts(await read_ids(request))})

    async def subservice_billing_batch(self, request: Request) -> Response:
        return ok({"items": self.service.subservice_billing(await read_ids(request))})

    async def subservice_billing_of(self, request: Request) -> Response:
        ids = self.service.subservices_in(await read_window(request))
        return ok({"items": self.service.subservice_billing(ids), "subservice_ids": ids})

    async def account_subservices(self, request: Request) -> Response:
        return ok({"items": self.service.subservices_of_account(request.path_params["subscriber_id"])})

    async def billed_subservices_batch(self, request: Request) -> Response:
        return ok({"items": self.service.billed_subservices(await read_ids(request))})

    async def invoices_batch(self, request: Request) -> Response:
        return ok({"items": self.service.invoices(await read_ids(request))})

    async def _ids_and_status(self, request: Request) -> tuple[list[str], str | None]:
        ids = await read_ids(request)
        return ids, validate.opt_enum(await read_object(request), "status", INVOICE_STATUSES)

    async def invoices_by_subscriber(self, request: Request) -> Response:
        ids, status = await self._ids_and_status(request)
        return ok({"items": self.service.invoices_for_subscribers(ids, status)})

    async def invoices_by_subservice(self, request: Request) -> Response:
        ids, status = await self._ids_and_status(request)
        return ok({"items": self.service.invoices_for_subservices(ids, status)})

    async def dunning_by_invoice(self, request: Request) -> Response:
        return ok({"items": self.service.dunning_for_invoices(await read_ids(request))})

    async def dunning_by_subscriber(self, request: Request) -> Response:
        return ok({"items": self.service.dunning_for_subscribers(await read_ids(request))})

    async def get_invoice(self, request: Request) -> Response:
        return ok(self.service.get_invoice(request.path_params["invoice_id"]))

    async def invoice_pdf(self, request: Request) -> Response:
        invoice_id = request.path_params["invoice_id"]
        content = self.service.invoice_pdf(invoice_id, request.query_params.get("locale"))
        return _pdf(content, f"{self.service.get_invoice(invoice_id)['number']}.pdf")

    def _period(self, request: Request) -> tuple[date, date]:
        query = request.query_params
        return period(query.get("from"), query.get("to"), self.service.today())

    async def statement_pdf(self, request: Request) -> Response:
        start, end = self._period(request)
        content = self.service.statement_pdf(
            request.path_params["subscriber_id"],
            _chosen(request),
            start,
            end,
            request.query_params.get("locale"),
        )
        return _pdf(content, "statement.pdf")

    async def statement(self, request: Request) -> Response:
        start, end = self._period(request)
        return ok(self.service.activity(request.path_params["subscriber_id"], start, end, _chosen(request)))

    async def payments_of(self, request: Request) -> Response:
        start, end = self._period(request)
        return ok({"items": self.service.payments_of(request.path_params["subscriber_id"], start, end)})

    async def payments_by_invoice(self, request: Request) -> Response:
        return ok({"items": self.service.payments_for_invoices(await read_ids(request))})

    async def receipt_pdf(self, request: Request) -> Response:
        payment_id = request.path_params["payment_id"]
        content = self.service.receipt_pdf(payment_id)
        return _pdf(content, f"{self.service.payment(payment_id)['receipt_number']}.pdf")

    async def wallets_batch(self, request: Request) -> Response:
        return ok({"items": self.service.wallets(await read_ids(request))})

    async def wallet_transactions(self, request: Request) -> Response:
        raw_limit = request.query_params.get("limit", "20")
        # isascii: str.isdigit() also accepts digits int() refuses, such as "²".
        if not (
            raw_limit.isascii()
            and raw_limit.isdigit()
            and len(raw_limit) <= 3
            and 1 <= int(raw_limit) <= MAX_PAGE
        ):
            raise invalid(f"`limit` must be an integer from 1 to {MAX_PAGE}")
        return ok(
            self.service.wallet_transactions(
                request.path_params["subscriber_id"], int(raw_limit), request.query_params.get("before")
            )
        )

    async def record_payment(self, request: Request) -> Response:
        body = await read_object(request)

        def record() -> Response:
            result, created = self.service.record_payment(
                validate.text(body, "external_ref"),
                validate.text(body, "invoice_id"),
                validate.amount(body),
                validate.currency(body),
                validate.enum(body, "method", PAYMENT_METHODS),
            )
            return ok(result, 201 if created else 200)

        return self.keys.once(request, body, record)

    async def wallet_credit(self, request: Request) -> Response:
        body = await read_object(request)

        def credit() -> Response:
            result, created = self.service.credit_wallet(
                validate.text(body, "subscriber_id"),
                validate.enum(body, "kind", ("TOPUP",)),
                validate.amount(body),
                validate.opt_text(body, "description") or "Wallet top-up",
                validate.text(body, "external_ref"),
            )
            return ok(result, 201 if created else 200)

        return self.keys.once(request, body, credit)

    async def wallet_apply(self, request: Request) -> Response:
        body = await read_object(request)
        result, _ = self.service.apply_wallet(
            validate.text(body, "subscriber_id"),
            validate.text(body, "invoice_id"),
            validate.text(body, "idempotency_key"),
            validate.opt_amount(body),
        )
        return ok(result)

    async def redeem_gift_card(self, request: Request) -> Response:
        body = await read_object(request)
        return ok(
            self.service.redeem_gift_card(
                validate.text(body, "subscriber_id"), validate.text(body, "code", 40)
            )
        )

    async def renew(self, request: Request) -> Response:
        body = await read_object(request)
        result, _ = self.service.renew(
            request.path_params["subservice_id"], validate.text(body, "idempotency_key")
        )
        return ok(result)

    async def offers_batch(self, request: Request) -> Response:
        return ok({"items": self.service.offers(await read_ids(request))})

    async def preview_plan_change(self, request: Request) -> Response:
        body = await read_object(request)
        return ok(
            self.service.preview_plan_change(
                request.path_params["subservice_id"], validate.text(body, "plan_id")
            )
        )

    async def change_plan(self, request: Request) -> Response:
        body = await read_object(request)
        subservice_id = request.path_params["subservice_id"]

        def change() -> Response:
            return ok(self.service.change_plan(subservice_id, validate.text(body, "plan_id")))

        return self.keys.once(request, body, change)

    async def buy_add_on(self, request: Request) -> Response:
        body = await read_object(request)
        subservice_id = request.path_params["subservice_id"]

        def buy() -> Response:
            paid_by = validate.enum(body, "paid_by", ("WALLET", "CARD"))
            card = paid_by == "CARD"
            result, created = self.service.buy_add_on(
                subservice_id,
                validate.text(body, "add_on_id"),
                paid_by,
                external_ref=validate.text(body, "external_ref") if card else None,
                paid=validate.amount(body) if card else None,
                currency=validate.currency(body) if card else None,
            )
            return ok(result, 201 if created else 200)

        return self.keys.once(request, body, buy)

    async def payment_methods(self, request: Request) -> Response:
        subscriber_id = request.path_params["subscriber_id"]
        if request.method == "GET":
            return ok({"items": self.service.payment_methods(subscriber_id)})
        body = await read_object(request)
        method, created = self.service.add_payment_method(
            subscriber_id,
            gateway_token=validate.text(body, "gateway_token"),
            brand=validate.enum(body, "brand", CARD_BRANDS),
            last4=validate.text(body, "last4", 4),
            exp_month=validate.integer(body, "exp_month", 1, 12),
            exp_year=validate.integer(body, "exp_year", 2000, MAX_YEAR),
            make_default=validate.flag(body, "make_default", default=False),
        )
        return ok(method, 201 if created else 200)

    async def remove_payment_method(self, request: Request) -> Response:
        p = request.path_params
        return ok({"items": self.service.remove_payment_method(p["subscriber_id"], p["payment_method_id"])})

    async def default_payment_method(self, request: Request) -> Response:
        p = request.path_params
        return ok(
            {"items": self.service.set_default_payment_method(p["subscriber_id"], p["payment_method_id"])}
        )

    async def autopay(self, request: Request) -> Response:
        body = await read_object(request)
        return ok(
            self.service.set_autopay(request.path_params["subscriber_id"], validate.flag(body, "enabled"))
        )

    async def gateway_customer(self, request: Request) -> Response:
        body = await read_object(request)
        return ok(
            self.service.set_gateway_customer(
                request.path_params["subscriber_id"], validate.text(body, "gateway_customer_id")
            )
        )

    async def installments_batch(self, request: Request) -> Response:
        return ok({"items": self.service.installments(await read_ids(request))})

    # ---- operator -------------------------------------------------------------------------------------
    async def billing_run(self, request: Request) -> Response:
        body = await read_object(request)
        return ok(
            self.service.billing_run(
                validate.opt_day(body, "as_of"), validate.opt_text(body, "subscriber_id")
            )
        )

    async def void_invoice(self, request: Request) -> Response:
        return ok(self.service.void_invoice(request.path_params["invoice_id"]))

    async def ops_wallet_credit(self, request: Request) -> Response:
        body = await read_object(request)
        result, created = self.service.credit_wallet(
            validate.text(body, "subscriber_id"),
            validate.enum(body, "kind", ("PROMO", "COMPENSATION")),
            validate.amount(body),
            validate.text(body, "description"),
            validate.opt_text(body, "external_ref"),
        )
        return ok(result, 201 if created else 200)

    async def gift_cards(self, request: Request) -> Response:
        if request.method == "GET":
            return ok({"items": self.service.gift_cards()})
        body = await read_object(request)
        code = validate.opt_text(body, "code", 40)
        if code is not None and not validate.GIFT_CODE.match(code):
            raise invalid("`code` must be 4 to 40 letters, digits or dashes")
        return ok(self.service.create_gift_card(validate.amount(body, "value"), code), 201)

    async def ops_accounts(self, _request: Request) -> Response:
        return ok({"items": self.service.ops_accounts()})

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/v1/accounts:batch", self.accounts_batch, methods=["POST"]),
            Route("/v1/subservice-billing:batch", self.subservice_billing_batch, methods=["POST"]),
            Route("/v1/subservice-billing:by-subscriber", self.subservice_billing_of, methods=["POST"]),
            Route("/v1/accounts/{subscriber_id}/subservices", self.account_subservices, methods=["GET"]),
            Route("/v1/subservices:batch", self.billed_subservices_batch, methods=["POST"]),
            Route("/v1/invoices:batch", self.invoices_batch, methods=["POST"]),
            Route("/v1/invoices:by-subscriber", self.invoices_by_subscriber, methods=["POST"]),
            Route("/v1/invoices:by-subservice", self.invoices_by_subservice, methods=["POST"]),
            Route("/v1/invoices/{invoice_id}", self.get_invoice, methods=["GET"]),
            Route("/v1/dunning:by-invoice", self.dunning_by_invoice, methods=["POST"]),
            Route("/v1/dunning:by-subscriber", self.dunning_by_subscriber, methods=["POST"]),
            Route("/v1/invoices/{invoice_id}/pdf", self.invoice_pdf, methods=["GET"]),
            Route("/v1/subscribers/{subscriber_id}/statement.pdf", self.statement_pdf, methods=["GET"]),
            Route("/v1/subscribers/{subscriber_id}/statement", self.statement, methods=["GET"]),
            Route("/v1/subscribers/{subscriber_id}/payments", self.payments_of, methods=["GET"]),
            Route("/v1/payments:by-invoice", self.payments_by_invoice, methods=["POST"]),
            Route("/v1/payments/{payment_id}/receipt.pdf", self.receipt_pdf, methods=["GET"]),
            Route("/v1/wallets:batch", self.wallets_batch, methods=["POST"]),
            Route(
                "/v1/subscribers/{subscriber_id}/wallet/transactions",
                self.wallet_transactions,
                methods=["GET"],
            ),
            Route("/v1/payments", self.record_payment, methods=["POST"]),
            Route("/v1/wallet/credits", self.wallet_credit, methods=["POST"]),
            Route("/v1/wallet/apply", self.wallet_apply, methods=["POST"]),
            Route("/v1/gift-cards/redeem", self.redeem_gift_card, methods=["POST"]),
            Route("/v1/subservices/{subservice_id}/renew", self.renew, methods=["POST"]),
            Route("/v1/offers:batch", self.offers_batch, methods=["POST"]),
            Route(
                "/v1/subservices/{subservice_id}/plan-change:preview",
                self.preview_plan_change,
                methods=["POST"],
            ),
            Route("/v1/subservices/{subservice_id}/plan-change", self.change_plan, methods=["POST"]),
            Route("/v1/subservices/{subservice_id}/add-ons", self.buy_add_on, methods=["POST"]),
            Route(
                "/v1/subscribers/{subscriber_id}/payment-methods",
                self.payment_methods,
                methods=["GET", "POST"],
            ),
            Route(
                "/v1/subscribers/{subscriber_id}/payment-methods/{payment_method_id}",
                self.remove_payment_method,
                methods=["DELETE"],
            ),
            Route(
                "/v1/subscribers/{subscriber_id}/payment-methods/{payment_method_id}/default",
                self.default_payment_method,
                methods=["POST"],
            ),
            Route("/v1/subscribers/{subscriber_id}/autopay", self.autopay, methods=["PUT"]),
            Route("/v1/subscribers/{subscriber_id}/gateway-customer", self.gateway_customer, methods=["PUT"]),
            Route("/v1/installments:batch", self.installments_batch, methods=["POST"]),
            Route("/v1/ops/billing-runs", self.billing_run, methods=["POST"]),
            Route("/v1/ops/invoices/{invoice_id}/void", self.void_invoice, methods=["POST"]),
            Route("/v1/ops/wallet/credits", self.ops_wallet_credit, methods=["POST"]),
            Route("/v1/ops/gift-cards", self.gift_cards, methods=["GET", "POST"]),
            Route("/v1/ops/accounts", self.ops_accounts, methods=["GET"]),
        ]


def routes(service: BillingService) -> list[BaseRoute]:
    return BillingApi(service).routes()
