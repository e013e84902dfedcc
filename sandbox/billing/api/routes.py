"""Billing's HTTP surface: thin handlers that validate, call a BillingService method and shape the answer.

The contract for every route is `adapters/wispgate/openapi/billing.yaml`.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from sandbox.billing.api import validate
from sandbox.billing.config import CARD_BRANDS, INVOICE_STATUSES, MAX_PAGE, PAYMENT_METHODS
from sandbox.billing.service import BillingService
from sandbox.common.http import invalid, ok, read_ids, read_object

MAX_YEAR = 9999


def _pdf(content: bytes, filename: str) -> Response:
    return Response(
        content,
        media_type="application/pdf",
        headers={"content-disposition": f'inline; filename="{filename}"'},
    )


def routes(service: BillingService) -> list[BaseRoute]:
    async def accounts_batch(request: Request) -> Response:
        return ok({"items": service.accounts(await read_ids(request))})

    async def subservice_billing_batch(request: Request) -> Response:
        return ok({"items": service.subservice_billing(await read_ids(request))})

    async def invoices_batch(request: Request) -> Response:
        return ok({"items": service.invoices(await read_ids(request))})

    async def _ids_and_status(request: Request) -> tuple[list[str], str | None]:
        ids = await read_ids(request)
        return ids, validate.opt_enum(await read_object(request), "status", INVOICE_STATUSES)

    async def invoices_by_subscriber(request: Request) -> Response:
        ids, status = await _ids_and_status(request)
        return ok({"items": service.invoices_for_subscribers(ids, status)})

    async def invoices_by_subservice(request: Request) -> Response:
        ids, status = await _ids_and_status(request)
        return ok({"items": service.invoices_for_subservices(ids, status)})

    async def get_invoice(request: Request) -> Response:
        return ok(service.get_invoice(request.path_params["invoice_id"]))

    async def invoice_pdf(request: Request) -> Response:
        invoice_id = request.path_params["invoice_id"]
        content = service.invoice_pdf(invoice_id)
        return _pdf(content, f"{service.get_invoice(invoice_id)['number']}.pdf")

    async def statement_pdf(request: Request) -> Response:
        raw = request.query_params.get("subservice_ids")
        chosen = None if raw is None else [s.strip() for s in raw.split(",") if s.strip()]
        content = service.statement_pdf(request.path_params["subscriber_id"], chosen)
        return _pdf(content, "statement.pdf")

    async def wallets_batch(request: Request) -> Response:
        return ok({"items": service.wallets(await read_ids(request))})

    async def wallet_transactions(request: Request) -> Response:
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
            service.wallet_transactions(
                request.path_params["subscriber_id"], int(raw_limit), request.query_params.get("before")
            )
        )

    async def record_payment(request: Request) -> Response:
        body = await read_object(request)
        result, created = service.record_payment(
            validate.text(body, "external_ref"),
            validate.text(body, "invoice_id"),
            validate.amount(body),
            validate.currency(body),
            validate.enum(body, "method", PAYMENT_METHODS),
        )
        return ok(result, 201 if created else 200)

    async def wallet_credit(request: Request) -> Response:
        body = await read_object(request)
        result, created = service.credit_wallet(
            validate.text(body, "subscriber_id"),
            validate.enum(body, "kind", ("TOPUP",)),
            validate.amount(body),
            validate.opt_text(body, "description") or "Wallet top-up",
            validate.text(body, "external_ref"),
        )
        return ok(result, 201 if created else 200)

    async def wallet_apply(request: Request) -> Response:
        body = await read_object(request)
        result, _ = service.apply_wallet(
            validate.text(body, "subscriber_id"),
            validate.text(body, "invoice_id"),
            validate.text(body, "idempotency_key"),
            validate.opt_amount(body),
        )
        return ok(result)

    async def redeem_gift_card(request: Request) -> Response:
        body = await read_object(request)
        return ok(
            service.redeem_gift_card(validate.text(body, "subscriber_id"), validate.text(body, "code", 40))
        )

    async def renew(request: Request) -> Response:
        body = await read_object(request)
        result, _ = service.renew(
            request.path_params["subservice_id"], validate.text(body, "idempotency_key")
        )
        return ok(result)

    async def payment_methods(request: Request) -> Response:
        subscriber_id = request.path_params["subscriber_id"]
        if request.method == "GET":
            return ok({"items": service.payment_methods(subscriber_id)})
        body = await read_object(request)
        method, created = service.add_payment_method(
            subscriber_id,
            gateway_token=validate.text(body, "gateway_token"),
            brand=validate.enum(body, "brand", CARD_BRANDS),
            last4=validate.text(body, "last4", 4),
            exp_month=validate.integer(body, "exp_month", 1, 12),
            exp_year=validate.integer(body, "exp_year", 2000, MAX_YEAR),
            make_default=validate.flag(body, "make_default", default=False),
        )
        return ok(method, 201 if created else 200)

    async def remove_payment_method(request: Request) -> Response:
        p = request.path_params
        return ok({"items": service.remove_payment_method(p["subscriber_id"], p["payment_method_id"])})

    async def default_payment_method(request: Request) -> Response:
        p = request.path_params
        return ok({"items": service.set_default_payment_method(p["subscriber_id"], p["payment_method_id"])})

    async def autopay(request: Request) -> Response:
        body = await read_object(request)
        return ok(service.set_autopay(request.path_params["subscriber_id"], validate.flag(body, "enabled")))

    async def gateway_customer(request: Request) -> Response:
        body = await read_object(request)
        return ok(
            service.set_gateway_customer(
                request.path_params["subscriber_id"], validate.text(body, "gateway_customer_id")
            )
        )

    async def installments_batch(request: Request) -> Response:
        return ok({"items": service.installments(await read_ids(request))})

    # ---- operator -------------------------------------------------------------------------------------
    async def billing_run(request: Request) -> Response:
        body = await read_object(request)
        return ok(
            service.billing_run(validate.opt_day(body, "as_of"), validate.opt_text(body, "subscriber_id"))
        )

    async def void_invoice(request: Request) -> Response:
        return ok(service.void_invoice(request.path_params["invoice_id"]))

    async def ops_wallet_credit(request: Request) -> Response:
        body = await read_object(request)
        result, created = service.credit_wallet(
            validate.text(body, "subscriber_id"),
            validate.enum(body, "kind", ("PROMO", "COMPENSATION")),
            validate.amount(body),
            validate.text(body, "description"),
            validate.opt_text(body, "external_ref"),
        )
        return ok(result, 201 if created else 200)

    async def gift_cards(request: Request) -> Response:
        if request.method == "GET":
            return ok({"items": service.gift_cards()})
        body = await read_object(request)
        code = validate.opt_text(body, "code", 40)
        if code is not None and not validate.GIFT_CODE.match(code):
            raise invalid("`code` must be 4 to 40 letters, digits or dashes")
        return ok(service.create_gift_card(validate.amount(body, "value"), code), 201)

    async def ops_accounts(_request: Request) -> Response:
        return ok({"items": service.ops_accounts()})

    return [
        Route("/v1/accounts:batch", accounts_batch, methods=["POST"]),
        Route("/v1/subservice-billing:batch", subservice_billing_batch, methods=["POST"]),
        Route("/v1/invoices:batch", invoices_batch, methods=["POST"]),
        Route("/v1/invoices:by-subscriber", invoices_by_subscriber, methods=["POST"]),
        Route("/v1/invoices:by-subservice", invoices_by_subservice, methods=["POST"]),
        Route("/v1/invoices/{invoice_id}", get_invoice, methods=["GET"]),
        Route("/v1/invoices/{invoice_id}/pdf", invoice_pdf, methods=["GET"]),
        Route("/v1/subscribers/{subscriber_id}/statement.pdf", statement_pdf, methods=["GET"]),
        Route("/v1/wallets:batch", wallets_batch, methods=["POST"]),
        Route("/v1/subscribers/{subscriber_id}/wallet/transactions", wallet_transactions, methods=["GET"]),
        Route("/v1/payments", record_payment, methods=["POST"]),
        Route("/v1/wallet/credits", wallet_credit, methods=["POST"]),
        Route("/v1/wallet/apply", wallet_apply, methods=["POST"]),
        Route("/v1/gift-cards/redeem", redeem_gift_card, methods=["POST"]),
        Route("/v1/subservices/{subservice_id}/renew", renew, methods=["POST"]),
        Route("/v1/subscribers/{subscriber_id}/payment-methods", payment_methods, methods=["GET", "POST"]),
        Route(
            "/v1/subscribers/{subscriber_id}/payment-methods/{payment_method_id}",
            remove_payment_method,
            methods=["DELETE"],
        ),
        Route(
            "/v1/subscribers/{subscriber_id}/payment-methods/{payment_method_id}/default",
            default_payment_method,
            methods=["POST"],
        ),
        Route("/v1/subscribers/{subscriber_id}/autopay", autopay, methods=["PUT"]),
        Route("/v1/subscribers/{subscriber_id}/gateway-customer", gateway_customer, methods=["PUT"]),
        Route("/v1/installments:batch", installments_batch, methods=["POST"]),
        Route("/v1/ops/billing-runs", billing_run, methods=["POST"]),
        Route("/v1/ops/invoices/{invoice_id}/void", void_invoice, methods=["POST"]),
        Route("/v1/ops/wallet/credits", ops_wallet_credit, methods=["POST"]),
        Route("/v1/ops/gift-cards", gift_cards, methods=["GET", "POST"]),
        Route("/v1/ops/accounts", ops_accounts, methods=["GET"]),
    ]
