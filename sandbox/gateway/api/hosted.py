"""The hosted checkout a subscriber's browser is sent to (`GET /pay/{session_id}`), the card form it posts
(`POST /pay/{session_id}`), and the authentication step some test cards ask for.

The session id in the URL is the capability (as on Stripe's hosted page). Card data only ever travels in a
POST body, is validated here, handed to the service and dropped; it is never echoed back, stored or logged.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from adapters.brand import Brand
from sandbox.gateway.api.pages import HEADERS, auth_page, closed_page, missing_page, pay_page
from sandbox.gateway.service import GatewayService, PayResult
from sandbox.gateway.service.cards import CardInvalid, parse_card

MAX_FORM = 16 * 1024


def pay_action(request: Request, session_id: str) -> str:
    # An absolute path that holds however the app is mounted (root_path carries the mount prefix).
    return f"{request.scope.get('root_path', '')}/pay/{session_id}"


def see_other(url: str) -> Response:
    return RedirectResponse(url, status_code=303, headers=HEADERS)


async def read_form(request: Request) -> dict[str, str]:
    if int(request.headers.get("content-length") or 0) > MAX_FORM:
        return {}
    async with request.form(max_files=0, max_fields=20) as form:
        return {k: v for k, v in form.items() if isinstance(v, str)}


class HostedCheckout:
    """One method per route; `routes()` lists them."""

    def __init__(self, service: GatewayService, merchant: str, brand: Brand | None = None) -> None:
        self.service = service
        self.merchant = merchant
        self.brand = brand or Brand(name=merchant)

    async def show(self, request: Request) -> Response:
        session_id = request.path_params["session_id"]
        row = self.service.session_row(session_id)
        if row is None:
            return missing_page(self.brand)
        if row["status"] != "open":
            return closed_page(self.merchant, row, self.brand)
        return pay_page(self.merchant, row, pay_action(request, session_id), brand=self.brand)

    async def submit(self, request: Request) -> Response:
        session_id = request.path_params["session_id"]
        form = await read_form(request)
        row = self.service.session_row(session_id)
        if row is None:
            return missing_page(self.brand)
        if row["status"] != "open":
            return closed_page(self.merchant, row, self.brand)
        # Only what is safe to show again is kept for a re-rendered form: never the number or the CVC.
        values = {
            "card_expiry": form.get("card_expiry", "")[:9],
            "card_name": form.get("card_name", "")[:100],
        }
        try:
            card = parse_card(
                form.get("card_number", "")[:40],
                form.get("card_expiry", "")[:20],
                form.get("card_cvc", "")[:10],
                form.get("card_name", "")[:200],
            )
        except CardInvalid as exc:
            action = pay_action(request, session_id)
            return pay_page(
                self.merchant, row, action, error=exc.message, values=values, status=400, brand=self.brand
            )
        return self.outcome(request, session_id, self.service.pay(session_id, card), values)

    async def show_auth(self, request: Request) -> Response:
        session_id = request.path_params["session_id"]
        row = self.service.pending_session(session_id)
        if row is None:
            return see_other(pay_action(request, session_id))
        return auth_page(self.merchant, row, f"{pay_action(request, session_id)}/authenticate", self.brand)

    async def submit_auth(self, request: Request) -> Response:
        session_id = request.path_params["session_id"]
        form = await read_form(request)
        choice = form.get("outcome")
        if choice not in ("complete", "fail"):
            return see_other(f"{pay_action(request, session_id)}/authenticate")
        result = self.service.authenticate(session_id, approved=choice == "complete")
        return self.outcome(request, session_id, result, {})

    def outcome(
        self, request: Request, session_id: str, result: PayResult, values: dict[str, str]
    ) -> Response:
        """Where the browser goes after a card or an authentication choice was submitted."""
        if result.kind == "redirect":
            assert result.url is not None
            return see_other(result.url)
        if result.kind == "authenticate":
            return see_other(f"{pay_action(request, session_id)}/authenticate")
        if result.kind == "nothing_pending":
            return see_other(pay_action(request, session_id))
        row = self.service.session_row(session_id)
        if row is None:
            return missing_page(self.brand)
        if result.kind == "declined":
            action = pay_action(request, session_id)
            return pay_page(
                self.merchant, row, action, error=result.message, values=values, status=402, brand=self.brand
            )
        return closed_page(self.merchant, row, self.brand)

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/pay/{session_id}", self.show, methods=["GET"]),
            Route("/pay/{session_id}", self.submit, methods=["POST"]),
            Route("/pay/{session_id}/authenticate", self.show_auth, methods=["GET"]),
            Route("/pay/{session_id}/authenticate", self.submit_auth, methods=["POST"]),
        ]


def routes(service: GatewayService, merchant: str, brand: Brand | None = None) -> list[BaseRoute]:
    return HostedCheckout(service, merchant, brand).routes()
