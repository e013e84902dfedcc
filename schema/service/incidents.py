"""The network incidents a viewer hears about: open ones affecting the sub-services they may see, and each
change of one (`serviceIncidentChanged`)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

import strawberry
from strawberry.types import Info

from adapters.errors import BackendError, NotFound
from adapters.ports import cpe, crm
from schema.core.context import Context
from schema.core.feed import fresh_loaders, skipped, subscribing_viewer, text, viewer_events
from schema.service.cpe import DeviceTask, ServiceIncident
from schema.service.types import visible_subservices_by_id

INCIDENT_CHANGED = "incident.changed"
TASK_CHANGED = "device.task_changed"


async def incidents_affecting(context: Context, records: Sequence[crm.SubService]) -> list[ServiceIncident]:
    """Open incidents affecting any of `records` (already authorized), each naming those it affects; the
    ones under way first, then planned work, by start."""
    ids = [r.id for r in records]
    per_subservice = await context.loaders.incidents_by_subservice_id.load_many(ids)
    merged: dict[str, tuple[cpe.Incident, list[str]]] = {}
    for subservice_id, incidents in zip(ids, per_subservice, strict=True):
        for incident in incidents:
            merged.setdefault(incident.id, (incident, []))[1].append(subservice_id)
    found = [ServiceIncident.of(i, affected) for i, affected in merged.values()]
    return sorted(found, key=lambda i: (i.planned, i.starts_at, i.reference))


async def service_incident_changed(info: Info[Context, None]) -> AsyncIterator[ServiceIncident]:
    context = info.context
    viewer = await subscribing_viewer(info)

    async def feed() -> AsyncIterator[ServiceIncident]:
        async for event in viewer_events(context, viewer, {INCIDENT_CHANGED}):
            incident_id = text(event.data, "incident_id")
            if incident_id is None:
                continue
            loaders = fresh_loaders(context)
            try:
                visible = await visible_subservices_by_id(loaders, viewer, list(event.subservice_ids))
                if not visible:
                    continue
                incident = await context.backends.oss.incident(incident_id)
            except NotFound:
                continue
            except BackendError as exc:
                skipped(event, exc)
                continue
            yield ServiceIncident.of(incident, [s.record.id for s in visible])

    return feed()


async def device_task_changed(info: Info[Context, None]) -> AsyncIterator[DeviceTask]:
    context = info.context
    viewer = await subscribing_viewer(info)
    last_sent: dict[str, str] = {}

    async def feed() -> AsyncIterator[DeviceTask]:
        async for event in viewer_events(context, viewer, {TASK_CHANGED}):
            task_id = text(event.data, "task_id")
            if task_id is None:
                continue
            loaders = fresh_loaders(context)
            try:
                visible = await visible_subservices_by_id(loaders, viewer, list(event.subservice_ids))
                if not visible:
                    continue
                task = await context.backends.oss.task(task_id)
            except NotFound:
                continue
            except BackendError as exc:
                skipped(event, exc)
                continue
            if task.subservice_id != visible[0].record.id or last_sent.get(task.id) == task.status:
                continue  # an event that names another sub-service than its task's; or a status already sent
            last_sent[task.id] = task.status
            yield DeviceTask.of(task)

    return feed()


@strawberry.type
class DeviceSubscription:
    device_task_changed: AsyncIterator[DeviceTask] = strawberry.subscription(
        resolver=device_task_changed,
        description=(
            "A task sent to a device the viewer may see changed status (PENDING → DONE or FAILED): as it is now."
        ),
    )
    service_incident_changed: AsyncIterator[ServiceIncident] = strawberry.subscription(
        resolver=service_incident_changed,
        description=(
            "An outage or planned maintenance affecting sub-services the viewer may see was opened or resolved: "
            "as it is now, with the affected sub-services the viewer may see."
        ),
    )
