"""What settlement modules share: a successful gateway payment, and the refusal of an event that contradicts
Billing (`bff.core.payments.settlement` and `bff.core.payments.multi`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from adapters.ports.gateway import PaymentReference
from adapters.ports.money import Money


class EventRejected(Exception):
    """The event cannot be applied as it stands (it contradicts Billing); it is not recorded."""


@dataclass(frozen=True, slots=True)
class GatewayPayment:
    """A successful payment at the gateway, from whichever event reported it."""

    ref: str  # the PaymentIntent id: Billing's external reference
    amount: Money
    reference: PaymentReference | None  # None: not a payment the portal started
    at: datetime
    payment_method_id: str | None = None  # the card paid with, when the event says (to save it: `save_card`)


def iso_moment(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")
