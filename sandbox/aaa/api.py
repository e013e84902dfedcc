"""AAA's HTTP surface: thin handlers over `AaaService` (service key for reads and reactivation, operator key
for `/v1/ops/…`)."""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from sandbox.aaa.config import MAX_HISTORY, STATUSES
from sandbox.aaa.service import AaaService, check_reason, clean_note
from sandbox.common.http import invalid, ok, read_ids, read_object
from sandbox.common.idempotency import RequestKeys

_DIGITS = re.compile(r"[0-9]{1,6}")


def _limit(request: Request, default: int = 50) -> int:
    raw = request.query_params.get("limit")
    if raw is None:
        return default
    if not _DIGITS.fullmatch(raw) or not 1 <= int(raw) <= MAX_HISTORY:
        raise invalid(f"`limit` must be an integer from 1 to {MAX_HISTORY}")
    return int(raw)


class AaaApi:
    """One method per route; `routes()` lists them."""

    def __init__(self, service: AaaService) -> None:
        self.service = service
        self.keys = RequestKeys(service.db)

    async def statuses(self, request: Request) -> Response:
        return ok({"items": self.service.statuses(await read_ids(request))})

    async def status(self, request: Request) -> Response:
        return ok(self.service.status(request.path_params["subservice_id"]))

    async def history(self, request: Request) -> Response:
        limit = _limit(request)
        return ok({"items": self.service.history(request.path_params["subservice_id"], limit)})

    async def profiles(self, request: Request) -> Response:
        return ok({"items": self.service.profiles(await read_ids(request))})

    async def sessions(self, request: Request) -> Response:
        return ok({"items": self.service.sessions(await read_ids(request))})

    async def reactivate(self, request: Request) -> Response:
        body = await read_object(request)
        subservice_id = request.path_params["subservice_id"]
        reason, note = check_reason(body.get("reason")), clean_note(body.get("note"))
        # Keyed by the payment that brought it back: a repeat answers what that reactivation did
        # (`changed: true`), which is how the BFF learns it after losing the first answer.
        return self.keys.once(request, body, lambda: ok(self.service.reactivate(subservice_id, reason, note)))

    async def set_profile(self, request: Request) -> Response:
        body = await read_object(request)
        subservice_id = request.path_params["subservice_id"]

        plan = body.get("plan")
        if not isinstance(plan, str):
            raise invalid("`plan` must be a non-empty string of at most 100 characters")

        def apply() -> Response:
            return ok(
                self.service.set_profile(subservice_id, plan, body.get("down_mbps"), body.get("up_mbps"))
            )

        return self.keys.once(request, body, apply)

    async def ops_suspend(self, request: Request) -> Response:
        body = await read_object(request)
        subservice_id = request.path_params["subservice_id"]
        reason, note = check_reason(body.get("reason")), clean_note(body.get("note"))
        return ok(self.service.set_down(subservice_id, "SUSPENDED", reason, note))

    async def ops_restrict(self, request: Request) -> Response:
        body = await read_object(request)
        subservice_id = request.path_params["subservice_id"]
        reason, note = check_reason(body.get("reason")), clean_note(body.get("note"))
        return ok(self.service.set_down(subservice_id, "RESTRICTED", reason, note))

    async def ops_reactivate(self, request: Request) -> Response:
        body = await read_object(request)
        return ok(
            self.service.operator_reactivate(
                request.path_params["subservice_id"], clean_note(body.get("note"))
            )
        )

    async def ops_list(self, request: Request) -> Response:
        status = request.query_params.get("status")
        if status is not None and status not in STATUSES:
            raise invalid(f"`status` must be one of {', '.join(STATUSES)}")
        return ok({"items": self.service.list(status)})

    def routes(self) -> list[BaseRoute]:
        sub = "/v1/subservices/{subservice_id}"
        ops = "/v1/ops/subservices"
        return [
            Route("/v1/status:batch", self.statuses, methods=["POST"]),
            Route(f"{sub}/status", self.status, methods=["GET"]),
            Route(f"{sub}/status-history", self.history, methods=["GET"]),
            Route("/v1/profiles:batch", self.profiles, methods=["POST"]),
            Route("/v1/sessions:batch", self.sessions, methods=["POST"]),
            Route(f"{sub}/reactivate", self.reactivate, methods=["POST"]),
            Route(f"{sub}/profile", self.set_profile, methods=["PUT"]),
            Route(ops, self.ops_list, methods=["GET"]),
            Route(ops + "/{subservice_id}/suspend", self.ops_suspend, methods=["POST"]),
            Route(ops + "/{subservice_id}/restrict", self.ops_restrict, methods=["POST"]),
            Route(ops + "/{subservice_id}/reactivate", self.ops_reactivate, methods=["POST"]),
        ]


def routes(service: AaaService) -> list[BaseRoute]:
    return AaaApi(service).routes()
