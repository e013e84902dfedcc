"""The gateway's Stripe-compatible API (`/v1/…`) and its operator routes (`/_ops/…`): thin handlers over
`GatewayService`. Requests are form-encoded with Stripe's bracket notation; POSTs honour `Idempotency-Key`."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from sandbox.common.http import error_body
from sandbox.gateway import idempotency
from sandbox.gateway.auth import relative_path
from sandbox.gateway.errors import StripeError
from sandbox.gateway.form import Params, decode
from sandbox.gateway.objects import API_VERSION
from sandbox.gateway.service import GatewayService

MAX_BODY = 256 * 1024
Handler = Callable[[Params], tuple[int, dict[str, Any]]]


def stripe_response(
    request: Request, status: int, body: dict[str, Any], *, replayed: bool = False
) -> Response:
    headers = {
        "request-id": f"req_{secrets.token_hex(7)}",
        "stripe-version": request.headers.get("stripe-version") or API_VERSION,
        "cache-control": "no-cache, no-store",
    }
    if replayed:
        headers["idempotent-replayed"] = "true"
    return JSONResponse(body, status_code=status, headers=headers)


async def stripe_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StripeError)
    return stripe_response(request, exc.status, exc.body())


async def http_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    path = relative_path(request.scope)
    if path.startswith("/v1/"):
        message = (
            f"Unrecognized request URL ({request.method}: {path})."
            if exc.status_code == 404
            else f"{exc.detail}"
        )
        return stripe_response(request, exc.status_code, StripeError(exc.status_code, message).body())
    codes = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}
    return JSONResponse(
        error_body(codes.get(exc.status_code, "HTTP_ERROR"), str(exc.detail)), exc.status_code
    )


def routes(service: GatewayService) -> list[BaseRoute]:
    db = service.db

    async def form(request: Request) -> Params:
        raw = await request.body()
        if len(raw) > MAX_BODY:
            raise StripeError(413, "Request body too large.")
        try:
            text = raw.decode()
        except UnicodeDecodeError:
            raise StripeError(400, "The request body must be UTF-8 encoded form data.") from None
        return Params(decode(text))

    def query(request: Request) -> Params:
        return Params(decode(request.url.query))

    async def post(request: Request, handler: Handler) -> Response:
        params = await form(request)
        key = request.headers.get("idempotency-key")
        if key is None:
            with db.transaction():
                status, body = handler(params)
            return stripe_response(request, status, body)
        idempotency.check_key(key)
        status, body, replayed = idempotency.run_once(
            db, key, "POST", relative_path(request.scope), params.raw, lambda: handler(params)
        )
        return stripe_response(request, status, body, replayed=replayed)

    def get(
        request: Request, read: Callable[[Params], dict[str, Any]], allowed: tuple[str, ...] = ()
    ) -> Response:
        params = query(request).only(allowed)
        return stripe_response(request, 200, read(params))

    def expanded(obj: dict[str, Any], p: Params) -> tuple[int, dict[str, Any]]:
        return 200, service.expand(obj, p.strings("expand"))

    def pid(request: Request, name: str) -> str:
        value: str = request.path_params[name]
        return value

    async def create_customer(request: Request) -> Response:
        return await post(request, lambda p: expanded(service.create_customer(p), p))

    async def get_customer(request: Request) -> Response:
        return get(
            request, lambda p: service.expand(service.customer(pid(request, "id")), p.strings("expand"))
        )

    async def customer_methods(request: Request) -> Response:
        allowed = ("type", "limit", "starting_after", "ending_before", "allow_redisplay")
        return get(request, lambda p: service.list_payment_methods(pid(request, "id"), p), allowed)

    async def list_methods(request: Request) -> Response:
        def read(p: Params) -> dict[str, Any]:
            customer = p.string("customer", required=True, max_len=255)
            assert customer is not None
            listed = service.list_payment_methods(customer, p)
            return {**listed, "url": "/v1/payment_methods"}

        return get(request, read, ("customer", "type", "limit", "starting_after", "ending_before"))

    async def get_method(request: Request) -> Response:
        return get(
            request, lambda p: service.expand(service.payment_method(pid(request, "id")), p.strings("expand"))
        )

    async def detach_method(request: Request) -> Response:
        method_id = pid(request, "id")

        def handler(p: Params) -> tuple[int, dict[str, Any]]:
            p.only(())
            return expanded(service.detach_payment_method(method_id), p)

        return await post(request, handler)

    async def create_session(request: Request) -> Response:
        return await post(request, lambda p: expanded(service.create_checkout_session(p), p))

    async def get_session(request: Request) -> Response:
        return get(
            request,
            lambda p: service.expand(service.checkout_session(pid(request, "id")), p.strings("expand")),
        )

    async def session_line_items(request: Request) -> Response:
        return get(
            request,
            lambda _p: service.line_items(pid(request, "id")),
            ("limit", "starting_after", "ending_before"),
        )

    async def expire_session(request: Request) -> Response:
        session_id = pid(request, "id")

        def handler(p: Params) -> tuple[int, dict[str, Any]]:
            p.only(())
            return expanded(service.expire_checkout_session(session_id), p)

        return await post(request, handler)

    async def create_intent(request: Request) -> Response:
        def handler(p: Params) -> tuple[int, dict[str, Any]]:
            status, body = service.create_payment_intent(p)
            return (status, service.expand(body, p.strings("expand"))) if status == 200 else (status, body)

        return await post(request, handler)

    async def get_intent(request: Request) -> Response:
        return get(
            request, lambda p: service.expand(service.payment_intent(pid(request, "id")), p.strings("expand"))
        )

    async def get_setup_intent(request: Request) -> Response:
        return get(
            request, lambda p: service.expand(service.setup_intent(pid(request, "id")), p.strings("expand"))
        )

    async def get_event(request: Request) -> Response:
        return get(request, lambda _p: service.event(pid(request, "id")))

    async def list_events(request: Request) -> Response:
        return get(request, service.list_events, ("type", "limit", "starting_after", "ending_before"))

    return [
        Route("/v1/customers", create_customer, methods=["POST"]),
        Route("/v1/customers/{id}", get_customer, methods=["GET"]),
        Route("/v1/customers/{id}/payment_methods", customer_methods, methods=["GET"]),
        Route("/v1/payment_methods", list_methods, methods=["GET"]),
        Route("/v1/payment_methods/{id}", get_method, methods=["GET"]),
        Route("/v1/payment_methods/{id}/detach", detach_method, methods=["POST"]),
        Route("/v1/checkout/sessions", create_session, methods=["POST"]),
        Route("/v1/checkout/sessions/{id}", get_session, methods=["GET"]),
        Route("/v1/checkout/sessions/{id}/line_items", session_line_items, methods=["GET"]),
        Route("/v1/checkout/sessions/{id}/expire", expire_session, methods=["POST"]),
        Route("/v1/payment_intents", create_intent, methods=["POST"]),
        Route("/v1/payment_intents/{id}", get_intent, methods=["GET"]),
        Route("/v1/setup_intents/{id}", get_setup_intent, methods=["GET"]),
        Route("/v1/events", list_events, methods=["GET"]),
        Route("/v1/events/{id}", get_event, methods=["GET"]),
    ]
