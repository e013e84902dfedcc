"""The AAA sandbox system: statuses, bandwidth profiles and live sessions per sub-service."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from starlette.routing import BaseRoute

from sandbox.aaa import api, seed
from sandbox.aaa.service import AaaService
from sandbox.aaa.store import SCHEMA
from sandbox.common.system import System, SystemConfig
from sandbox.world import World


class AaaSystem(System):
    name = "aaa"

    def __init__(self, config: SystemConfig) -> None:
        super().__init__(config)
        self.db.script(SCHEMA)
        self.service = AaaService(self.db, self.outbox)

    def seed(self, world: World) -> None:
        seed.seed(self.db, world)

    def routes(self) -> list[BaseRoute]:
        return api.routes(self.service)

    def suspend(self, subservice_id: str, reason: str, note: str) -> None:
        """`ServiceControl`: suspend for `reason`; a no-op when the sub-service is already suspended."""
        self.service.suspend(subservice_id, reason, note)

    def accounting(self, subservice_ids: Sequence[str]) -> list[dict[str, Any]]:
        """`SessionAccounting`: the sessions of these sub-services, ended and live, with what they counted."""
        return self.service.accounting(subservice_ids)

    def set_plan(self, subservice_id: str, plan: str, down_mbps: int | None, up_mbps: int | None) -> None:
        """`ServiceControl`: provision the profile of a plan that took effect."""
        self.service.set_profile(subservice_id, plan, down_mbps, up_mbps)
