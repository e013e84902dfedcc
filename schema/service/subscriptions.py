"""`serviceStatusChanged`: a sub-service went ACTIVE, SUSPENDED or RESTRICTED, or its plan's profile (its
speeds) changed."""

from __future__ import annotations

from collections.abc import AsyncIterator

import strawberry
from strawberry.types import Info

from adapters.errors import BackendError
from bff.core.bus import PROFILE_CHANGED, BusEvent
from schema.core.context import Context
from schema.core.feed import SETTLED, fresh_loaders, skipped, subscribing_viewer, text, texts, viewer_events
from schema.service.types import SubService, visible_subservices_by_id


async def service_status_changed(info: Info[Context, None]) -> AsyncIterator[SubService]:
    context = info.context
    viewer = await subscribing_viewer(info)

    # A reactivation arrives twice: AAA's own event and the payment's list of reactivated services. The
    # subscriber is told each state once: a sub-service is sent again only when its status changed.
    last_sent: dict[str, tuple[str, str | None, object]] = {}
    # A plan change arrives twice too (AAA's event and the BFF's own): sent again only when the profile changed.
    last_profile: dict[str, tuple[str, int | None, int | None]] = {}

    async def feed() -> AsyncIterator[SubService]:
        async for event in viewer_events(
            context, viewer, {"service.status_changed", PROFILE_CHANGED, SETTLED}
        ):
            if event.type == PROFILE_CHANGED:
                async for changed in _profile_changed(event):
                    yield changed
                continue
            if event.type == SETTLED:
                ids = texts(event.data, "reactivated_subservice_ids")
            else:
                one = text(event.data, "subservice_id")
                ids = [one] if one is not None else list(event.subservice_ids)
            loaders = fresh_loaders(context)
            try:
                found = await visible_subservices_by_id(loaders, viewer, list(dict.fromkeys(ids)))
                # The same fresh loaders resolve the yielded fields: this read is not repeated.
                statuses = await loaders.status_by_subservice_id.load_many([s.record.id for s in found])
            except BackendError as exc:
                skipped(event, exc)
                continue
            for subservice, status in zip(found, statuses, strict=True):
                state = (
                    (status.status, status.reason, status.since) if status is not None else ("", None, None)
                )
                if last_sent.get(subservice.record.id) == state:
                    continue
                last_sent[subservice.record.id] = state
                yield subservice

    async def _profile_changed(event: BusEvent) -> AsyncIterator[SubService]:
        one = text(event.data, "subservice_id")
        ids = [one] if one is not None else list(event.subservice_ids)
        loaders = fresh_loaders(context)
        try:
            found = await visible_subservices_by_id(loaders, viewer, list(dict.fromkeys(ids)))
            profiles = await loaders.profile_by_subservice_id.load_many([s.record.id for s in found])
        except BackendError as exc:
            skipped(event, exc)
            return
        for subservice, profile in zip(found, profiles, strict=True):
            state = (
                (profile.name, profile.down_mbps, profile.up_mbps)
                if profile is not None
                else ("", None, None)
            )
            if last_profile.get(subservice.record.id) == state:
                continue
            last_profile[subservice.record.id] = state
            yield subservice

    return feed()


@strawberry.type
class ServiceSubscription:
    service_status_changed: AsyncIterator[SubService] = strawberry.subscription(
        resolver=service_status_changed,
        description=(
            "A sub-service the viewer may see went ACTIVE, SUSPENDED or RESTRICTED, or its plan's speeds changed "
            "(`changePlan`): as it is now."
        ),
    )
