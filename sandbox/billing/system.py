"""Billing, the system of record for money: accounts, charges, invoices, payments, the wallet.

`BillingSystem` wires it: its tables (`store`), its rules (`service.BillingService`), its HTTP surface
(`api`) and its part of the seed world (`seed`).
"""

from __future__ import annotations

from datetime import date

from starlette.routing import BaseRoute

from sandbox.billing.api.routes import routes
from sandbox.billing.config import DUNNING_RETRY_DAYS
from sandbox.billing.seed import seed_world
from sandbox.billing.service import BillingService
from sandbox.billing.service.dunning import validate_retry_days
from sandbox.billing.store import SCHEMA, upgrade
from sandbox.common import clock
from sandbox.common.peers import CardCharger, ServiceControl
from sandbox.common.system import System, SystemConfig
from sandbox.world import World


class BillingSystem(System):
    name = "billing"

    def __init__(
        self,
        config: SystemConfig,
        service_control: ServiceControl | None = None,
        today: date | None = None,
        card_charger: CardCharger | None = None,
        dunning_retry_days: tuple[int, ...] = DUNNING_RETRY_DAYS,
    ) -> None:
        super().__init__(config)
        self._today = today
        self.db.script(SCHEMA)
        upgrade(self.db)
        self.service = BillingService(
            self.db,
            self.outbox,
            currency=config.currency,
            # Asked on every call rather than passed once, so replacing `today` on the system (a test
            # pinning another day) reaches every rule that reads the date.
            today=lambda: self.today(),
            service_control=service_control,
            card_charger=card_charger,
            brand=config.brand,
            dunning_retry_days=validate_retry_days(dunning_retry_days),
        )

    def today(self) -> date:
        """The pinned day (tests, demo seeds) or the real UTC date."""
        return self._today or clock.now().date()

    def seed(self, world: World) -> None:
        seed_world(self.db, world, self.config.currency)

    def routes(self) -> list[BaseRoute]:
        return routes(self.service)
