"""OSS's HTTP surface: thin handlers over `OssService` (service key for reads, operator key for
`/v1/ops/…`)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from sandbox.common.http import MAX_BATCH, invalid, ok, read_ids, read_object
from sandbox.oss.config import MAX_FIRMWARE, MAX_SIGNAL_DBM, MIN_SIGNAL_DBM
from sandbox.oss.cpe import CpeService
from sandbox.oss.cpe_api import CpeApi
from sandbox.oss.incidents import IncidentService
from sandbox.oss.service import OssService, parse_day


class OssApi:
    """One method per route; `routes()` lists them."""

    def __init__(self, service: OssService) -> None:
        self.service = service

    async def devices(self, request: Request) -> Response:
        return ok({"items": self.service.devices_for(await read_ids(request))})

    async def device(self, request: Request) -> Response:
        return ok(self.service.device(request.path_params["device_id"]))

    async def usage(self, request: Request) -> Response:
        body = await read_object(request)
        ids = body.get("ids")
        if not isinstance(ids, list) or not ids or len(ids) > MAX_BATCH:
            raise invalid(f"`ids` must be a list of 1 to {MAX_BATCH} ids")
        if not all(isinstance(i, str) and 0 < len(i) <= 100 for i in ids):
            raise invalid("every entry of `ids` must be a non-empty string id")
        start, end = parse_day(body.get("from"), "from"), parse_day(body.get("to"), "to")
        return ok({"items": self.service.usage_for(list(dict.fromkeys(ids)), start, end)})

    async def addons(self, request: Request) -> Response:
        return ok({"items": self.service.addons_for(await read_ids(request))})

    async def ops_device_state(self, request: Request) -> Response:
        # The range check also refuses NaN, infinities and integers too large for a float.
        body = await read_object(request)
        online, signal, firmware = body.get("online"), body.get("signal_dbm"), body.get("firmware")
        if online is not None and not isinstance(online, bool):
            raise invalid("`online` must be a boolean")
        if signal is not None and (
            isinstance(signal, bool)
            or not isinstance(signal, (int, float))
            or not MIN_SIGNAL_DBM <= signal <= MAX_SIGNAL_DBM
        ):
            raise invalid(f"`signal_dbm` must be a number from {MIN_SIGNAL_DBM} to {MAX_SIGNAL_DBM}")
        if firmware is not None and (
            not isinstance(firmware, str) or not firmware.strip() or len(firmware) > MAX_FIRMWARE
        ):
            raise invalid(f"`firmware` must be a non-empty string of at most {MAX_FIRMWARE} characters")
        return ok(
            self.service.set_device_state(
                request.path_params["device_id"],
                online=online,
                signal_dbm=None if signal is None else round(float(signal), 1),
                firmware=None if firmware is None else firmware.strip(),
            )
        )

    async def ops_devices(self, request: Request) -> Response:
        subservice_id = request.query_params.get("subservice_id") or None
        return ok({"items": self.service.list_devices(subservice_id)})

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/v1/devices:batch", self.devices, methods=["POST"]),
            Route("/v1/devices/{device_id}", self.device, methods=["GET"]),
            Route("/v1/usage:batch", self.usage, methods=["POST"]),
            Route("/v1/addons:batch", self.addons, methods=["POST"]),
            Route("/v1/ops/devices", self.ops_devices, methods=["GET"]),
            Route("/v1/ops/devices/{device_id}/state", self.ops_device_state, methods=["POST"]),
        ]


def routes(service: OssService, cpe: CpeService, incidents: IncidentService) -> list[BaseRoute]:
    return [*OssApi(service).routes(), *CpeApi(cpe, incidents).routes()]
