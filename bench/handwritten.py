"""The hand-written reference for the dashboard page: what the BFF is measured against (`bench/ratio.py`).

A plain Starlette app, no GraphQL: one `GET /dashboard?first=N` answers with what the web's dashboard page
asks for in its one operation (`DashboardPage`, `web/src/pages/DashboardPage.tsx`: the account's figures, its
incidents, its invoices whose autopay charge was declined, the first page of services), in the same JSON shape and with the same global ids, cursors and money
strings as that operation's `data`, so that the bench can compare the two field by field.

It does what a careful person would write by hand for that one page, and nothing more:
- the access token is checked locally (PyJWT, HS256, the BFF's secret, issuer and audience; no session
  store, which the BFF also consults): the token names the subscriber;
- the same backend reads as the BFF, each once, in one round: everything is keyed by the subscriber
  (CRM subscriber and sub-service list; Billing account, which carries the monthly total; AAA status,
  profiles and sessions, OSS devices and Billing's charges for the window of the page, `POST …:by-subscriber`).
  It trusts every system's window to be the CRM's page (the BFF checks, and reads by id what a window did not
  cover). And OSS's incidents for all of the subscriber's sub-services, by subscriber too;
- aiohttp to the backends (one keep-alive pool), orjson both ways, plain dicts.

Out of scope, as the page's bench does not need them: SITE users (whose summary is recomputed over their
sites from the invoices: answered 403 here), `after`/`kind`/`status` arguments, more than 1,000
sub-services (one batch page), partial answers when a backend fails (502 for the whole page).
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import aiohttp
import jwt
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

ALGORITHM = "HS256"
REQUIRED = ["exp", "iat", "iss", "aud", "sub", "sid", "jti", "ver", "sbs", "role"]
MINOR_UNITS = {"JPY": 0, "KRW": 0, "BHD": 3, "KWD": 3}  # everything else: 2 decimals
BACKENDS = ("crm", "aaa", "oss", "billing")
# A pooled keep-alive connection the backend closed meanwhile: these reads are sent once more (the BFF's
# adapters retry reads too).
STALE_CONNECTION = (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError)


def gid(type_name: str, raw_id: str) -> str:
    """The BFF's global id: base64url of `Type:raw`, unpadded."""
    return base64.urlsafe_b64encode(f"{type_name}:{raw_id}".encode()).decode().rstrip("=")


def cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode().rstrip("=")


def _json(body: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type="application/json")


def _sum(values: list[dict[str, str]], currency: str) -> dict[str, str]:
    amount = sum((Decimal(v["amount"]) for v in values), Decimal(0))
    step = Decimal(1).scaleb(-MINOR_UNITS.get(currency, 2))
    return {"amount": str(amount.quantize(step)), "currency": currency}


def _money(value: dict[str, str]) -> dict[str, str]:
    return {"amount": value["amount"], "currency": value["currency"]}


class Backends:
    """The four backends over one aiohttp session; every answer decoded with orjson."""

    def __init__(self, urls: dict[str, str], api_key: str) -> None:
        self.urls = urls
        self.api_key = api_key
        self.session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        self.session = aiohttp.ClientSession(
            headers={"x-api-key": self.api_key, "accept": "application/json"},
            # under the sandbox's (uvicorn's) 5 s keep-alive timeout, as the BFF's RawWire does
            connector=aiohttp.TCPConnector(limit=200, keepalive_timeout=4.0),
            timeout=aiohttp.ClientTimeout(total=10),
        )

    async def close(self) -> None:
        if self.session is not None:
            await self.session.close()

    async def _answer(self, response: aiohttp.ClientResponse) -> Any:
        if response.status != 200:
            raise BackendFailed(f"{response.method} {response.url.path}: {response.status}")
        return orjson.loads(await response.read())

    async def get(self, backend: str, path: str, **params: Any) -> Any:
        assert self.session is not None
        for attempt in range(2):
            try:
                async with self.session.get(self.urls[backend] + path, params=params) as response:
                    return await self._answer(response)
            except STALE_CONNECTION:
                if attempt:
                    raise
        raise AssertionError("unreachable")

    async def batch(self, backend: str, path: str, ids: list[str]) -> list[dict[str, Any]]:
        if not ids:
            return []
        return await self.post(backend, path, {"ids": ids})

    async def post(self, backend: str, path: str, json_body: dict[str, Any]) -> list[dict[str, Any]]:
        """The items of a POSTed read (a batch by ids, or a window by subscriber)."""
        assert self.session is not None
        body = orjson.dumps(json_body)
        headers = {"content-type": "application/json"}
        for attempt in range(2):
            try:
                async with self.session.post(
                    self.urls[backend] + path, data=body, headers=headers
                ) as response:
                    items: list[dict[str, Any]] = (await self._answer(response))["items"]
                    return items
            except STALE_CONNECTION:
                if attempt:
                    raise
        raise AssertionError("unreachable")


class BackendFailed(Exception):
    pass


def _node(
    s: dict[str, Any],
    status: dict[str, Any] | None,
    profile: dict[str, Any] | None,
    session: dict[str, Any] | None,
    devices: list[dict[str, Any]],
    charges: dict[str, Any] | None,
) -> dict[str, Any]:
    """One `SubServiceCard`, as the BFF renders it."""
    billing = None
    if charges is not None:
        billing = {
            "prepaid": charges["prepaid"],
            "outstanding": _money(charges["outstanding"]),
            "cycle": {"nextInvoiceOn": charges["next_invoice_on"]},
        }
    return {
        "id": gid("SubService", s["id"]),
        "label": s["label"],
        "location": s["location"],
        "kind": s["kind"],
        "status": status["status"] if status else None,
        "statusReason": status["reason"] if status and status["status"] != "ACTIVE" else None,
        "statusSince": status["since"] if status else None,
        "expiresAt": charges["expires_at"] if charges else None,
        "profile": (
            {"planName": profile["plan"], "downMbps": profile["down_mbps"], "upMbps": profile["up_mbps"]}
            if profile
            else None
        ),
        "liveSession": {"online": session["online"]} if session else None,
        "devices": [{"id": gid("Device", d["id"]), "online": d["online"]} for d in devices],
        "billing": billing,
    }


def build_app(urls: dict[str, str], api_key: str, secret: str, issuer: str, audience: str) -> Starlette:
    """The reference app over the backends at `urls` (by backend name), checking tokens signed with
    `secret` for `issuer` and `audience`."""
    backends = Backends(urls, api_key)

    async def dashboard(request: Request) -> Response:
        header = request.headers.get("authorization", "")
        try:
            claims = jwt.decode(
                header.removeprefix("Bearer "),
                secret,
                algorithms=[ALGORITHM],
                audience=audience,
                issuer=issuer,
                options={"require": REQUIRED},
            )
        except jwt.PyJWTError:
            return _json({"error": "UNAUTHENTICATED"}, 401)
        if claims["role"] == "SITE":
            return _json({"error": "SITE users are out of this reference's scope"}, 403)
        try:
            first = int(request.query_params.get("first", "50"))
        except ValueError:
            return _json({"error": "first must be an integer"}, 400)
        if not 0 <= first <= 100:
            return _json({"error": "first must be within 0..100"}, 400)
        try:
            page = await _page(backends, claims["sbs"], first)
        except (BackendFailed, aiohttp.ClientError, TimeoutError) as exc:
            return _json({"error": "BACKEND_UNAVAILABLE", "detail": str(exc)}, 502)
        return _json(page)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        await backends.start()
        try:
            yield
        finally:
            await backends.close()

    return Starlette(routes=[Route("/dashboard", dashboard)], lifespan=lifespan)


async def _page(backends: Backends, subscriber_id: str, first: int) -> dict[str, Any]:
    # One round: the token names the subscriber, which keys every read (the page's by its window).
    page = {"subscriber_id": subscriber_id, "offset": 0, "limit": first}
    reads = [
        backends.batch("crm", "/v1/subscribers:batch", [subscriber_id]),
        backends.get("crm", f"/v1/subscribers/{subscriber_id}/subservices", limit=1000),
        backends.batch("billing", "/v1/accounts:batch", [subscriber_id]),
        backends.post("oss", "/v1/incidents:by-subscriber", {"subscriber_id": subscriber_id}),
        backends.batch("billing", "/v1/dunning:by-subscriber", [subscriber_id]),
    ]
    if first:
        reads += [
            backends.post(backend, path, page)
            for backend, path in (
                ("aaa", "/v1/status:by-subscriber"),
                ("aaa", "/v1/profiles:by-subscriber"),
                ("aaa", "/v1/sessions:by-subscriber"),
                ("oss", "/v1/devices:by-subscriber"),
                ("billing", "/v1/subservice-billing:by-subscriber"),
            )
        ]
    subscribers, listed, accounts, incidents, dunning, *windowed = await asyncio.gather(*reads)
    statuses, profiles, sessions, devices, charges = windowed or ([], [], [], [], [])
    if not subscribers or not accounts:
        raise BackendFailed("the subscriber or its account is unknown")
    account = accounts[0]
    items: list[dict[str, Any]] = listed["items"]
    shown = items[:first]
    status_of = {x["subservice_id"]: x for x in statuses}
    profile_of = {x["subservice_id"]: x for x in profiles}
    session_of = {x["subservice_id"]: x for x in sessions}
    charges_of = {x["subservice_id"]: x for x in charges}
    devices_of: dict[str, list[dict[str, Any]]] = {}
    for d in devices:
        devices_of.setdefault(d["subservice_id"], []).append(d)
    currency = account["currency"]
    subscriber_gid = gid("Subscriber", subscriber_id)
    summary = {
        "outstanding": _money(account["outstanding"]),
        "overdue": _money(account["overdue"]),
        "nextDueOn": account["next_due_on"],
        "walletBalance": _money(account["wallet_balance"]),
        "monthlyCharges": _money(account["monthly_charges"]),
        # Only a SITE user owes on invoices they cannot list: out of this reference's scope.
        "outstandingOnAccountInvoices": _sum([], currency),
    }
    nodes = [
        _node(
            s,
            status_of.get(s["id"]),
            profile_of.get(s["id"]),
            session_of.get(s["id"]),
            devices_of.get(s["id"], []),
            charges_of.get(s["id"]),
        )
        for s in shown
    ]
    connection = {
        "totalCount": len(items),
        "pageInfo": {
            "hasNextPage": len(items) > len(shown),
            "endCursor": cursor(len(shown) - 1) if shown else None,
        },
        "nodes": nodes,
    }
    label_of = {s["id"]: s["label"] for s in items}
    return {
        "viewer": {
            "subscriber": {
                "id": subscriber_gid,
                "financialSummary": summary,
                "serviceIncidents": _incidents(incidents, label_of),
                "declinedInvoices": [_declined(d) for d in dunning],
                "subServices": connection,
            }
        }
    }


# Stripe's decline codes as the portal words them (`DeclineReason`); any other code is OTHER.
REASONS = {
    "generic_decline": "GENERIC",
    "do_not_honor": "GENERIC",
    "card_declined": "GENERIC",
    "insufficient_funds": "INSUFFICIENT_FUNDS",
    "expired_card": "EXPIRED_CARD",
    "incorrect_cvc": "INCORRECT_CVC",
    "lost_card": "LOST_OR_STOLEN",
    "stolen_card": "LOST_OR_STOLEN",
    "authentication_required": "AUTHENTICATION_REQUIRED",
    "resource_missing": "CARD_NOT_FOUND",
    "processing_error": "PROCESSING_ERROR",
}


def _declined(case: dict[str, Any]) -> dict[str, Any]:
    """`DeclinedInvoice` for one invoice in dunning (the page shows an owner's: every invoice is visible)."""
    invoice = case["invoice"]
    attempts = case["attempts"]
    declined = [a for a in attempts if a["outcome"] != "SUCCEEDED"]
    return {
        "id": gid("Invoice", invoice["id"]),
        "number": invoice["number"],
        "status": invoice["status"],
        "balance": _money(invoice["balance"]),
        "dunning": {
            "state": case["state"],
            "nextRetryOn": case.get("next_retry_on"),
            "suspendsOn": case.get("suspends_on"),
            "lastDeclinedAt": _moment(declined[-1]["at"]) if declined else None,
            "attempts": [
                {
                    "at": _moment(a["at"]),
                    "retry": a["retry"],
                    "outcome": a["outcome"],
                    "declineReason": (
                        REASONS.get(a.get("decline_code") or "", "OTHER")
                        if a["outcome"] != "SUCCEEDED" and a.get("decline_code") is not None
                        else None
                    ),
                }
                for a in attempts
            ],
        },
    }


def _moment(text: str | None) -> str | None:
    return None if text is None else datetime.fromisoformat(text).isoformat()


def _incidents(found: list[dict[str, Any]], label_of: dict[str, str]) -> list[dict[str, Any]]:
    """`IncidentFields` for each open incident affecting the subscriber, merged across the ids asked, the ones
    under way first, then planned work, by start (as the BFF orders them)."""
    merged: dict[str, tuple[dict[str, Any], list[str]]] = {}
    for incident in found:
        affected = merged.setdefault(incident["id"], (incident, []))[1]
        affected += [i for i in incident.get("subservice_ids", []) if i not in affected]
    now = datetime.now(UTC)
    out = []
    for incident, affected in merged.values():
        starts = datetime.fromisoformat(incident["starts_at"])
        out.append(
            {
                "reference": incident["id"],
                "kind": incident["kind"],
                "status": incident["status"],
                "title": incident["title"],
                "message": incident["message"],
                "planned": incident["status"] == "OPEN" and starts > now,
                "startsAt": starts.isoformat(),
                "estimatedEnd": _moment(incident.get("estimated_end")),
                "affectedSubServices": [{"id": gid("SubService", i), "label": label_of[i]} for i in affected],
            }
        )
    return sorted(out, key=lambda i: (i["planned"], i["startsAt"], i["reference"]))
