"""The gateway's Stripe-compatible API (`/v1/…`): thin handlers over `GatewayService`. Requests are
form-encoded with Stripe's bracket notation; POSTs honour `Idempotency-Key`; answers carry Stripe's headers
and error shape."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from sandbox.common.http import error_body
from sandbox.gateway.api.auth import relative_path
from sandbox.gateway.config import API_VERSION, MAX_BODY
from sandbox.gateway.errors import StripeError
from sandbox.gateway.form import Params, decode
from sandbox.gateway.service import GatewayService, idempotency

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


async def read_form(request: Request) -> Params:
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise StripeError(413, "Request body too large.")
    try:
        text = raw.decode()
    except UnicodeDecodeError:
        raise StripeError(400, "The request body must be UTF-8 encoded form data.") from None
    return Params(decode(text))


def _id(request: Request) -> str:
    value: str = request.path_params["id"]
    return value


class StripeApi:
    """One method per route; `routes()` lists them."""

    def __init__(self, service: GatewayService) -> None:
        self.service = service

    # ---- how every request is served ---------------------------------------------------------------------

    async def post(self, request: Request, handler: Handler) -> Response:
        params = await read_form(request)
        key = request.headers.get("idempotency-key")
        if key is None:
            with self.service.db.transaction():
                status, body = handler(params)
            return stripe_response(request, status, body)
        idempotency.check_key(key)
        status, body, replayed = idempotency.run_once(
            self.service.db, key, "POST", relative_path(request.scope), params.raw, lambda: handler(params)
        )
        return stripe_response(request, status, body, replayed=replayed)

    def get(
        self, request: Request, read: Callable[[Params], dict[str, Any]], allowed: tuple[str, ...] = ()
    ) -> Response:
        params = Params(decode(request.url.query)).only(allowed)
        return stripe_response(request, 200, read(params))

    def get_expanded(self, request: Request, read: Callable[[str], dict[str, Any]]) -> Response:
        """`GET /v1/<objects>/{id}` with `expand[]`."""
        return self.get(request, lambda p: self.service.expand(read(_id(request)), p.strings("expand")))

    def expanded(self, obj: dict[str, Any], p: Params) -> tuple[int, dict[str, Any]]:
        return 200, self.service.expand(obj, p.strings("expand"))

    # ---- customers and payment methods -------------------------------------------------------------------

    async def create_customer(self, request: Request) -> Response:
        return await self.post(request, lambda p: self.expanded(self.service.create_customer(p), p))

    async def get_customer(self, request: Request) -> Response:
        return self.get_expanded(request, self.service.customer)

    async def customer_methods(self, request: Request) -> Response:
        allowed = ("type", "limit", "starting_after", "ending_before", "allow_redisplay")
        return self.get(request, lambda p: self.service.list_payment_methods(_id(request), p), allowed)

    async def list_methods(self, request: Request) -> Response:
        def read(p: Params) -> dict[str, Any]:
            customer = p.string("customer", required=True, max_len=255)
            assert customer is not None
            listed = self.service.list_payment_methods(customer, p)
            return {**listed, "url": "/v1/payment_methods"}

        return self.get(request, read, ("customer", "type", "limit", "starting_after", "ending_before"))

    async def get_method(self, request: Request) -> Response:
        return self.get_expanded(request, self.service.payment_method)

    async def detach_method(self, request: Request) -> Response:
        method_id = _id(request)

        def handler(p: Params) -> tuple[int, dict[str, Any]]:
            p.only(())
            return self.expanded(self.service.detach_payment_method(method_id), p)

        return await self.post(request, handler)

    # ---- checkout sessions -------------------------------------------------------------------------------

    async def create_session(self, request: Request) -> Response:
        return await self.post(request, lambda p: self.expanded(self.service.create_checkout_session(p), p))

    async def get_session(self, request: Request) -> Response:
        return self.get_expanded(request, self.service.checkout_session)

    async def session_line_items(self, request: Request) -> Response:
        allowed = ("limit", "starting_after", "ending_before")
        return self.get(request, lambda _p: self.service.line_items(_id(request)), allowed)

    async def expire_session(self, request: Request) -> Response:
        session_id = _id(request)

        def handler(p: Params) -> tuple[int, dict[str, Any]]:
            p.only(())
            return self.expanded(self.service.expire_checkout_session(session_id), p)

        return await self.post(request, handler)

    # ---- intents and events ------------------------------------------------------------------------------

    async def create_intent(self, request: Request) -> Response:
        def handler(p: Params) -> tuple[int, dict[str, Any]]:
            status, body = self.service.create_payment_intent(p)
            return (
                (status, self.service.expand(body, p.strings("expand"))) if status == 200 else (status, body)
            )

        return await self.post(request, handler)

    async def get_intent(self, request: Request) -> Response:
        return self.get_expanded(request, self.service.payment_intent)

    async def get_setup_intent(self, request: Request) -> Response:
        return self.get_expanded(request, self.service.setup_intent)

    async def get_event(self, request: Request) -> Response:
        return self.get(request, lambda _p: self.service.event(_id(request)))

    async def list_events(self, request: Request) -> Response:
        return self.get(
            request, self.service.list_events, ("type", "limit", "starting_after", "ending_before")
        )

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/v1/customers", self.create_customer, methods=["POST"]),
            Route("/v1/customers/{id}", self.get_customer, methods=["GET"]),
            Route("/v1/customers/{id}/payment_methods", self.customer_methods, methods=["GET"]),
            Route("/v1/payment_methods", self.list_methods, methods=["GET"]),
            Route("/v1/payment_methods/{id}", self.get_method, methods=["GET"]),
            Route("/v1/payment_methods/{id}/detach", self.detach_method, methods=["POST"]),
            Route("/v1/checkout/sessions", self.create_session, methods=["POST"]),
            Route("/v1/checkout/sessions/{id}", self.get_session, methods=["GET"]),
            Route("/v1/checkout/sessions/{id}/line_items", self.session_line_items, methods=["GET"]),
            Route("/v1/checkout/sessions/{id}/expire", self.expire_session, methods=["POST"]),
            Route("/v1/payment_intents", self.create_intent, methods=["POST"]),
            Route("/v1/payment_intents/{id}", self.get_intent, methods=["GET"]),
            Route("/v1/setup_intents/{id}", self.get_setup_intent, methods=["GET"]),
            Route("/v1/events", self.list_events, methods=["GET"]),
            Route("/v1/events/{id}", self.get_event, methods=["GET"]),
        ]


def routes(service: GatewayService) -> list[BaseRoute]:
    return StripeApi(service).routes()
