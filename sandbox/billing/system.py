"""Billing, the system of record for money: accounts, charges, invoices, payments, the wallet.

`BillingSystem` is a plain object whose methods (one mixin per area) are what the API, the operator
console and the combined sandbox call; `asgi()` serves them over HTTP.
"""

from __future__ import annotations

from datetime import date

from starlette.routing import BaseRoute

from sandbox.billing.accounts import BillingAccounts
from sandbox.billing.api import billing_routes
from sandbox.billing.documents import BillingDocuments
from sandbox.billing.runs import BillingRuns
from sandbox.billing.schema import SCHEMA
from sandbox.billing.seed import seed_world
from sandbox.billing.wallet import BillingWallet
from sandbox.common.peers import CardCharger, ServiceControl
from sandbox.common.system import System, SystemConfig
from sandbox.world import World


class BillingSystem(BillingDocuments, BillingRuns, BillingWallet, BillingAccounts, System):
    name = "billing"

    def __init__(
        self,
        config: SystemConfig,
        service_control: ServiceControl | None = None,
        today: date | None = None,
        card_charger: CardCharger | None = None,
    ) -> None:
        super().__init__(config)
        self.service_control = service_control
        self.card_charger = card_charger
        self._today = today
        self.db.script(SCHEMA)

    def seed(self, world: World) -> None:
        seed_world(self.db, world, self.currency)

    def routes(self) -> list[BaseRoute]:
        return billing_routes(self)
