"""OSS's HTTP surface for the ACS (parameter trees, tasks, sessions) and for network incidents."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from sandbox.common.http import invalid, ok, read_ids, read_object
from sandbox.oss.cpe import MAX_NAME, CpeService, read_task
from sandbox.oss.incidents import IncidentService

MAX_PREFIXES = 10


class CpeApi:
    def __init__(self, cpe: CpeService, incidents: IncidentService) -> None:
        self.cpe = cpe
        self.incidents = incidents

    async def parameters(self, request: Request) -> Response:
        body = await read_object(request)
        prefixes = body.get("prefixes")
        if prefixes is None:
            prefixes = []
        if (
            not isinstance(prefixes, list)
            or len(prefixes) > MAX_PREFIXES
            or not all(isinstance(p, str) and 0 < len(p) <= MAX_NAME for p in prefixes)
        ):
            raise invalid(f"`prefixes` must list at most {MAX_PREFIXES} parameter paths")
        ids = await read_ids(request)
        return ok({"items": self.cpe.parameters_for(ids, prefixes)})

    async def create_task(self, request: Request) -> Response:
        flag = request.query_params.get("connection_request")
        if flag not in (None, "", "true", "false"):
            raise invalid("`connection_request` is true or false")
        task = read_task(await read_object(request))
        created = self.cpe.create_task(request.path_params["device_id"], task, flag in ("", "true"))
        return ok(created, 202)

    async def task(self, request: Request) -> Response:
        return ok(self.cpe.task(request.path_params["task_id"]))

    async def tasks(self, request: Request) -> Response:
        return ok({"items": self.cpe.tasks_for(await read_ids(request))})

    async def incidents_for(self, request: Request) -> Response:
        return ok({"items": self.incidents.incidents_for(await read_ids(request))})

    async def incident(self, request: Request) -> Response:
        return ok(self.incidents.incident(request.path_params["incident_id"]))

    # --- operator ----------------------------------------------------------------------------------

    async def ops_inform(self, request: Request) -> Response:
        """The CPE opens a session now (a periodic inform): its pending tasks run."""
        device_id = request.path_params["device_id"]
        self.cpe.rejects(device_id)  # 404 for an unknown device
        return ok({"ran": self.cpe.session(device_id)})

    async def ops_rejects(self, request: Request) -> Response:
        body = await read_object(request)
        rejects = body.get("rejects_tasks")
        if not isinstance(rejects, bool):
            raise invalid("`rejects_tasks` must be a boolean")
        device_id = request.path_params["device_id"]
        self.cpe.set_rejects_tasks(device_id, rejects)
        return ok({"device_id": device_id, "rejects_tasks": rejects})

    async def ops_sites(self, request: Request) -> Response:
        return ok({"items": self.incidents.sites()})

    async def ops_incidents(self, request: Request) -> Response:
        status = request.query_params.get("status")
        if status not in (None, "OPEN", "RESOLVED"):
            raise invalid("`status` is OPEN or RESOLVED")
        return ok({"items": self.incidents.listed(status)})

    async def ops_open_incident(self, request: Request) -> Response:
        return ok(self.incidents.open(await read_object(request)), 201)

    async def ops_resolve_incident(self, request: Request) -> Response:
        return ok(self.incidents.resolve(request.path_params["incident_id"]))

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/v1/parameters:batch", self.parameters, methods=["POST"]),
            Route("/v1/devices/{device_id}/tasks", self.create_task, methods=["POST"]),
            Route("/v1/tasks:batch", self.tasks, methods=["POST"]),
            Route("/v1/tasks/{task_id}", self.task, methods=["GET"]),
            Route("/v1/incidents:batch", self.incidents_for, methods=["POST"]),
            Route("/v1/incidents/{incident_id}", self.incident, methods=["GET"]),
            Route("/v1/ops/devices/{device_id}/inform", self.ops_inform, methods=["POST"]),
            Route("/v1/ops/devices/{device_id}/faults", self.ops_rejects, methods=["POST"]),
            Route("/v1/ops/sites", self.ops_sites, methods=["GET"]),
            Route("/v1/ops/incidents", self.ops_incidents, methods=["GET"]),
            Route("/v1/ops/incidents", self.ops_open_incident, methods=["POST"]),
            Route("/v1/ops/incidents/{incident_id}/resolve", self.ops_resolve_incident, methods=["POST"]),
        ]
