"""`HttpPayPal`: the PayPal port over PayPal's REST API (Orders v2, webhooks verification) or the sandbox's
emulator of it.

Authentication is OAuth2 client credentials: `POST /v1/oauth2/token` with the client id and secret (HTTP
Basic), the bearer token cached until shortly before it expires and fetched once for concurrent callers; a
401 on an API call drops it and the call is tried once more with a new one. Creating and capturing send
`PayPal-Request-Id`, PayPal's idempotency header: the same id returns the first result, so those calls are
retried like reads. Failures become `adapters.errors`: transport errors, timeouts, 5xx and 429 →
Unavailable; 404 → NotFound; other 4xx → Rejected with PayPal's `details[0].issue` (or its `name`); a
refused client secret → Unavailable (a misconfiguration, nothing the subscriber can change).
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from adapters.errors import NotFound, Rejected, TimedOut, Unavailable
from adapters.paypal import parse
from adapters.paypal.amounts import BACKEND, to_value
from adapters.ports.money import Money
from adapters.ports.paypal import PayPalEvent, PayPalOrder, WebhookHeaders, WebhookNotVerified
from adapters.resilience.guard import Guard, Policy

PAYPAL_API = "https://api-m.paypal.com"
PAYPAL_SANDBOX_API = "https://api-m.sandbox.paypal.com"
TOKEN_MARGIN_S = 60.0  # renew this long before PayPal's expiry
REQUEST_ID_HEADER = "PayPal-Request-Id"
MAX_WEBHOOK_BODY = 512 * 1024

DEFAULT_POLICY = Policy(deadline_s=25.0, concurrency=16)


@dataclass(frozen=True)
class PayPalConfig:
    client_id: str
    client_secret: str
    base_url: str = PAYPAL_API
    connect_timeout_s: float = 3.0
    read_timeout_s: float = 20.0
    max_connections: int = 20


def make_paypal_http(
    config: PayPalConfig, transport: httpx.AsyncBaseTransport | None = None
) -> httpx.AsyncClient:
    """The one AsyncClient the adapter gets; the composition root owns and closes it."""
    return httpx.AsyncClient(
        base_url=config.base_url.rstrip("/"),
        headers={"accept": "application/json"},
        timeout=httpx.Timeout(config.read_timeout_s, connect=config.connect_timeout_s),
        limits=httpx.Limits(max_connections=config.max_connections, max_keepalive_connections=10),
        transport=transport,
    )


class _TokenRefused(Exception):
    """The API answered 401 to a bearer token we held: fetch a new one and try once more."""


class HttpPayPal:
    """Implements `PayPalPort`."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        config: PayPalConfig,
        guard: Guard | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.http = http
        self.config = config
        self.guard = guard if guard is not None else Guard(BACKEND, DEFAULT_POLICY)
        self._clock = clock
        self._token: str | None = None
        self._token_until = 0.0
        self._token_lock = asyncio.Lock()

    # ---- token ------------------------------------------------------------------------------------------

    async def _bearer(self) -> str:
        if self._token is not None and self._clock() < self._token_until:
            return self._token
        async with self._token_lock:  # one fetch for every caller that found the token stale
            if self._token is not None and self._clock() < self._token_until:
                return self._token
            where = "POST /v1/oauth2/token"
            response = await self._request(
                "POST",
                "/v1/oauth2/token",
                content=b"grant_type=client_credentials",
                headers={"content-type": "application/x-www-form-urlencoded"},
                auth=(self.config.client_id, self.config.client_secret),
                where=where,
            )
            if response.status_code in (400, 401):
                # {"error": "invalid_client", "error_description": "Client Authentication failed"}
                raise Unavailable(
                    BACKEND, f"{where} refused the client credentials ({_oauth_error(response)})"
                )
            body = self._ok(response, where)
            token, lifetime = parse.token(body)
            self._token = token
            self._token_until = self._clock() + max(0.0, lifetime - TOKEN_MARGIN_S)
            return token

    def _forget_token(self, token: str) -> None:
        if self._token == token:
            self._token = None

    # ---- transport --------------------------------------------------------------------------------------

    async def _request(
        self,
        method: str,
        url: str,
        *,
        content: bytes | None,
        headers: Mapping[str, str],
        where: str,
        auth: tuple[str, str] | None = None,
    ) -> httpx.Response:
        try:
            return await self.http.request(method, url, content=content, headers=dict(headers), auth=auth)
        except httpx.TimeoutException:
            raise TimedOut(BACKEND, f"{where} timed out") from None
        except httpx.HTTPError as exc:
            raise Unavailable(BACKEND, f"{where} failed: {type(exc).__name__}") from None

    def _ok(self, response: httpx.Response, where: str) -> bytes:
        status = response.status_code
        if status >= 500 or status == 429:
            raise Unavailable(BACKEND, f"{where} answered {status}: {_error(response)[1]}")
        if status == 404:
            raise NotFound(BACKEND, f"{where}: {_error(response)[1]}")
        if status >= 400:
            code, message = _error(response)
            raise Rejected(BACKEND, code, message, status)
        return response.content

    async def _call(
        self,
        method: str,
        path: str,
        payload: Mapping[str, Any] | bytes | None = None,
        *,
        request_id: str | None = None,
        prefer_representation: bool = False,
    ) -> bytes:
        content: bytes | None
        if isinstance(payload, bytes):
            content = payload
        else:
            content = None if payload is None else json.dumps(payload, separators=(",", ":")).encode()
        where = f"{method} {_operation_path(path)}"
        extra: dict[str, str] = {}
        if method != "GET":
            extra["content-type"] = "application/json"
        if request_id is not None:
            extra[REQUEST_ID_HEADER] = request_id
        if prefer_representation:
            extra["prefer"] = "return=representation"

        async def attempt() -> bytes:
            for _ in range(2):
                token = await self._bearer()
                headers = {**extra, "authorization": f"Bearer {token}"}
                response = await self._request(method, path, content=content, headers=headers, where=where)
                if response.status_code == 401:
                    self._forget_token(token)  # revoked or expired early: one more try with a new one
                    continue
                return self._ok(response, where)
            raise Unavailable(BACKEND, f"{where}: PayPal refused a fresh access token")

        # Reads, and writes carrying PayPal-Request-Id, are safe to send again.
        retry = method == "GET" or request_id is not None
        return await self.guard.run(where, attempt, retryable=retry)

    # ---- orders -----------------------------------------------------------------------------------------

    async def create_order(
        self,
        amount: Money,
        description: str,
        custom_id: str,
        return_url: str,
        cancel_url: str,
        request_id: str,
    ) -> PayPalOrder:
        payload = {
            "intent": "CAPTURE",
            "purchase_units": [
                {
                    "reference_id": "default",
                    "description": description[:127],
                    "custom_id": custom_id,
                    "amount": to_value(amount),
                }
            ],
            "payment_source": {
                "paypal": {
                    "experience_context": {
                        "user_action": "PAY_NOW",
                        "shipping_preference": "NO_SHIPPING",
                        "return_url": return_url,
                        "cancel_url": cancel_url,
                    }
                }
            },
        }
        body = await self._call(
            "POST", "/v2/checkout/orders", payload, request_id=request_id, prefer_representation=True
        )
        return parse.order(body, "POST /v2/checkout/orders")

    async def order(self, order_id: str) -> PayPalOrder:
        return parse.order(await self._call("GET", f"/v2/checkout/orders/{_id(order_id)}"))

    async def capture(self, order_id: str, request_id: str) -> PayPalOrder:
        body = await self._call(
            "POST",
            f"/v2/checkout/orders/{_id(order_id)}/capture",
            request_id=request_id,
            prefer_representation=True,
        )
        return parse.order(body, "POST /v2/checkout/orders/{id}/capture")

    # ---- webhooks ---------------------------------------------------------------------------------------

    async def verify_webhook(self, headers: WebhookHeaders, body: bytes, webhook_id: str) -> PayPalEvent:
        event = parse.event(body)  # a body that is not an event is refused before PayPal is asked
        # The event goes to PayPal byte for byte as it came: a re-serialized event may not verify.
        fields = {
            "auth_algo": headers.auth_algo,
            "cert_url": headers.cert_url,
            "transmission_id": headers.transmission_id,
            "transmission_sig": headers.transmission_sig,
            "transmission_time": headers.transmission_time,
            "webhook_id": webhook_id,
        }
        request = json.dumps(fields, separators=(",", ":")).encode()[:-1] + b',"webhook_event":' + body + b"}"
        answer = await self._call("POST", "/v1/notifications/verify-webhook-signature", request)
        if not parse.verified(answer):
            raise WebhookNotVerified("PayPal answered FAILURE")
        return event


def _error(response: httpx.Response) -> tuple[str, str]:
    """(code, message) of PayPal's error body: `details[0].issue` or `name`; tolerant of anything else."""
    try:
        error = response.json()
        if not isinstance(error, dict):
            raise TypeError
    except (ValueError, TypeError):
        return f"HTTP_{response.status_code}", response.reason_phrase
    details = error.get("details")
    issue = (
        details[0].get("issue")
        if isinstance(details, list) and details and isinstance(details[0], dict)
        else None
    )
    code = issue or error.get("name") or error.get("error") or f"HTTP_{response.status_code}"
    message = error.get("message") or error.get("error_description") or response.reason_phrase
    return str(code)[:80], str(message)[:300]


def _oauth_error(response: httpx.Response) -> str:
    return _error(response)[0]


_ID = re.compile(r"^[A-Za-z0-9-]{1,64}$")


def _operation_path(path: str) -> str:
    """`/v2/checkout/orders/5O19…/capture` → `/v2/checkout/orders/{id}/capture` (a metrics label)."""
    parts = path.split("/")
    return "/".join(
        "{id}" if i == 4 and parts[1:4] == ["v2", "checkout", "orders"] else s for i, s in enumerate(parts)
    )


def _id(value: str) -> str:
    """An order id for a URL path: PayPal's are upper-case letters and digits; anything else cannot exist."""
    if not _ID.match(value):
        raise NotFound(BACKEND, f"no such order: {value[:40]!r}")
    return value
