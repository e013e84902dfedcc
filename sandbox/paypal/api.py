"""The emulator's HTTP surface: PayPal's REST endpoints (JSON, bearer tokens from `/v1/oauth2/token`,
PayPal's error bodies) and the approval page the payer's browser is sent to (`/checkoutnow?token=…`)."""

from __future__ import annotations

import base64
import binascii
import contextlib
import hmac
import html
import json
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

from babel.numbers import format_currency
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from sandbox.paypal.config import MAX_BODY
from sandbox.paypal.service import PayPalApiError, PayPalService

PAGE_HEADERS = {
    "cache-control": "no-store",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
    "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none';"
    " base-uri 'none'; form-action 'self'",
}


async def paypal_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PayPalApiError)
    return JSONResponse(exc.body(), status_code=exc.status)


EXCEPTION_HANDLERS: dict[Any, Any] = {PayPalApiError: paypal_error}


def _bearer(request: Request, service: PayPalService) -> None:
    header = request.headers.get("authorization", "")
    token = header[7:] if header[:7].lower() == "bearer " else ""
    if not token or not service.token_valid(token):
        raise PayPalApiError(401, "AUTHENTICATION_FAILURE")


async def _json(request: Request) -> Any:
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise PayPalApiError(400, "INVALID_REQUEST", "MALFORMED_REQUEST", "The request is too large.")
    if not raw:
        return {}
    try:
        return json.loads(raw)
    except ValueError:
        raise PayPalApiError(
            400, "INVALID_REQUEST", "MALFORMED_REQUEST_JSON", "The body is not JSON."
        ) from None


def _order_answer(status: int, body: dict[str, Any], request: Request) -> JSONResponse:
    if request.headers.get("prefer", "").lower() != "return=representation":
        body = {k: body[k] for k in ("id", "status", "links") if k in body}  # return=minimal
    return JSONResponse(body, status_code=status)


def routes(service: PayPalService) -> list[BaseRoute]:
    async def token(request: Request) -> Response:
        header = request.headers.get("authorization", "")
        client_id = secret = ""
        if header[:6].lower() == "basic ":
            with contextlib.suppress(binascii.Error, UnicodeDecodeError):
                client_id, _, secret = base64.b64decode(header[6:], validate=True).decode().partition(":")
        form = (await request.body()).decode(errors="replace")
        issued = service.issue_token(client_id, secret) if "grant_type=client_credentials" in form else None
        if issued is None:
            return JSONResponse(
                {"error": "invalid_client", "error_description": "Client Authentication failed"},
                status_code=401,
            )
        return JSONResponse(issued)

    async def create_order(request: Request) -> Response:
        _bearer(request, service)
        status, body = service.create_order(await _json(request), request.headers.get("paypal-request-id"))
        return _order_answer(status, body, request)

    async def get_order(request: Request) -> Response:
        _bearer(request, service)
        return JSONResponse(service.order(request.path_params["order_id"]))

    async def capture(request: Request) -> Response:
        _bearer(request, service)
        await _json(request)
        status, body = service.capture(
            request.path_params["order_id"], request.headers.get("paypal-request-id")
        )
        return _order_answer(status, body, request)

    async def verify(request: Request) -> Response:
        _bearer(request, service)
        return JSONResponse({"verification_status": service.verify(await _json(request))})

    async def approval_page(request: Request) -> Response:
        order_id = request.query_params.get("token", "")[:40]
        row = service.order_row(order_id) if order_id.isalnum() else None
        if row is None:
            return _page("Unknown order", "<p>This PayPal checkout does not exist.</p>", 404)
        order = json.loads(row["body"])
        if order["status"] not in ("CREATED", "PAYER_ACTION_REQUIRED"):
            return _page("Already done", "<p>This order was already approved. You can close this page.</p>")
        unit = order["purchase_units"][0]
        amount = format_currency(
            Decimal(unit["amount"]["value"]), unit["amount"]["currency_code"], locale="en_US"
        )
        action = f"{request.scope.get('root_path', '')}/checkoutnow"
        token_field = f'<input type="hidden" name="token" value="{html.escape(order_id)}">'
        body = (
            f'<p class="merchant">{html.escape(service.config.merchant_name)}</p>'
            f"<h1>{html.escape(amount)}</h1>"
            f'<p class="sub">{html.escape(unit.get("description") or "")}</p>'
            '<p class="sub">Logged in as payer@sandbox.example (PayPal balance)</p>'
            f'<form method="post" action="{action}">{token_field}'
            '<button type="submit" name="choice" value="pay">Pay</button>'
            '<button type="submit" name="choice" value="decline" class="secondary">'
            "Pay with a card that will be declined</button>"
            '<button type="submit" name="choice" value="cancel" class="link">Cancel and return</button></form>'
        )
        return _page("Pay with PayPal", body)

    async def approval_submit(request: Request) -> Response:
        if int(request.headers.get("content-length") or 0) > 4096:
            return _page("Too large", "<p>The form is too large.</p>", 413)
        async with request.form(max_files=0, max_fields=5) as form:
            order_id = str(form.get("token", ""))[:40]
            choice = str(form.get("choice", ""))
        if not order_id.isalnum() or service.order_row(order_id) is None:
            return _page("Unknown order", "<p>This PayPal checkout does not exist.</p>", 404)
        if choice == "cancel":
            return RedirectResponse(service.cancel_url(order_id), status_code=303, headers=PAGE_HEADERS)
        return RedirectResponse(
            service.approve(order_id, decline=choice == "decline"), status_code=303, headers=PAGE_HEADERS
        )

    async def cert(_request: Request) -> Response:
        return Response(
            "The sandbox signs with an HMAC key it keeps: verify through /v1/notifications/verify-webhook-signature.\n",
            media_type="text/plain",
        )

    return [
        Route("/v1/oauth2/token", token, methods=["POST"]),
        Route("/v2/checkout/orders", create_order, methods=["POST"]),
        Route("/v2/checkout/orders/{order_id}", get_order, methods=["GET"]),
        Route("/v2/checkout/orders/{order_id}/capture", capture, methods=["POST"]),
        Route("/v1/notifications/verify-webhook-signature", verify, methods=["POST"]),
        Route("/v1/notifications/certs/{cert_id}", cert, methods=["GET"]),
        Route("/checkoutnow", approval_page, methods=["GET"]),
        Route("/checkoutnow", approval_submit, methods=["POST"]),
    ]


_STYLE = """
*{box-sizing:border-box}body{margin:0;font-family:system-ui,sans-serif;background:#f5f7fa;color:#001c64}
main{max-width:420px;margin:48px auto;padding:0 16px}.card{background:#fff;border-radius:12px;padding:28px;
box-shadow:0 2px 12px rgba(0,28,100,.08)}.logo{font-weight:800;font-size:22px;color:#003087;margin:0 0 16px}
.logo span{color:#0070e0}h1{font-size:30px;margin:0 0 4px}.merchant{color:#545d68;margin:0}.sub{color:#545d68}
button{display:block;width:100%;margin:10px 0 0;padding:12px;border:0;border-radius:24px;font-size:16px;
font-weight:600;background:#ffc439;color:#001c64;cursor:pointer}button.secondary{background:#eef1f5}
button.link{background:none;text-decoration:underline;font-weight:400}
"""


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    document = (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)} – PayPal'
        f' (sandbox)</title><meta name="viewport" content="width=device-width,initial-scale=1"><style>{_STYLE}'
        f'</style></head><body><main><div class="card"><p class="logo">Pay<span>Pal</span> sandbox</p>{body}'
        "</div></main></body></html>"
    )
    return HTMLResponse(document, status_code=status, headers=PAGE_HEADERS)


def operator_only(
    endpoint: Callable[[Request], Awaitable[Response]], operator_key: str
) -> Callable[[Request], Awaitable[Response]]:
    """The operator routes (`/_ops/events`): the sandbox's operator key in `X-API-Key`, as elsewhere."""

    async def guarded(request: Request) -> Response:
        if not hmac.compare_digest(request.headers.get("x-api-key", "").encode(), operator_key.encode()):
            return JSONResponse(
                {"error": {"code": "UNAUTHORIZED", "message": "the operator key is required"}}, 401
            )
        return await endpoint(request)

    return guarded
