"""Dunning as the portal shows it: each autopay charge of an invoice, when the next retry is, and when the
service would be suspended if nothing is paid. Billing keeps the schedule (`BillingPort.dunning`); this
module only translates it, and hides the card (brand, last 4) from roles that may not see saved cards."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum

import strawberry
from strawberry.types import Info

from adapters.ports import billing
from schema.core.context import Context
from schema.core.resolver import typed_field


@strawberry.enum(description="Where an invoice's dunning stands.")
class DunningState(Enum):
    RETRYING = strawberry.enum_value(
        "RETRYING", description="A charge was declined; Billing retries it on `nextRetryOn`."
    )
    EXHAUSTED = strawberry.enum_value(
        "EXHAUSTED",
        description=(
            "No more automatic charges: every retry was declined, or autopay was turned off or its card "
            "removed. Pay from the portal."
        ),
    )
    RECOVERED = strawberry.enum_value(
        "RECOVERED", description="A retry succeeded: the invoice is paid or being settled."
    )


@strawberry.enum(description="How one automatic charge ended.")
class PaymentAttemptOutcome(Enum):
    SUCCEEDED = strawberry.enum_value("SUCCEEDED", description="The card was charged.")
    DECLINED = strawberry.enum_value("DECLINED", description="The card's bank declined the charge.")
    REFUSED = strawberry.enum_value(
        "REFUSED",
        description="The payment gateway refused the charge before asking the bank (e.g. card unknown).",
    )


@strawberry.enum(description="Why a charge was declined, in words a subscriber can act on.")
class DeclineReason(Enum):
    GENERIC = strawberry.enum_value("GENERIC", description="The bank declined without saying why.")
    INSUFFICIENT_FUNDS = strawberry.enum_value("INSUFFICIENT_FUNDS", description="Not enough funds.")
    EXPIRED_CARD = strawberry.enum_value("EXPIRED_CARD", description="The card has expired.")
    INCORRECT_CVC = strawberry.enum_value("INCORRECT_CVC", description="The card's security code is wrong.")
    LOST_OR_STOLEN = strawberry.enum_value(
        "LOST_OR_STOLEN", description="The card was reported lost or stolen: use another card."
    )
    AUTHENTICATION_REQUIRED = strawberry.enum_value(
        "AUTHENTICATION_REQUIRED",
        description="The bank wants the cardholder to confirm: pay from the portal once.",
    )
    CARD_NOT_FOUND = strawberry.enum_value(
        "CARD_NOT_FOUND", description="The saved card is no longer at the payment gateway: add it again."
    )
    PROCESSING_ERROR = strawberry.enum_value(
        "PROCESSING_ERROR", description="A processing error at the bank; a retry may succeed."
    )
    OTHER = strawberry.enum_value("OTHER", description="Any other reason.")


# The gateway's (Stripe's) decline codes; codes not listed read as OTHER so a new code never breaks a client.
_REASONS = {
    "generic_decline": DeclineReason.GENERIC,
    "do_not_honor": DeclineReason.GENERIC,
    "card_declined": DeclineReason.GENERIC,
    "insufficient_funds": DeclineReason.INSUFFICIENT_FUNDS,
    "expired_card": DeclineReason.EXPIRED_CARD,
    "incorrect_cvc": DeclineReason.INCORRECT_CVC,
    "lost_card": DeclineReason.LOST_OR_STOLEN,
    "stolen_card": DeclineReason.LOST_OR_STOLEN,
    "authentication_required": DeclineReason.AUTHENTICATION_REQUIRED,
    "resource_missing": DeclineReason.CARD_NOT_FOUND,
    "processing_error": DeclineReason.PROCESSING_ERROR,
}


def decline_reason(code: str | None) -> DeclineReason | None:
    return None if code is None else _REASONS.get(code, DeclineReason.OTHER)


@strawberry.type(description="The card a charge was made on: brand and last four digits, never the number.")
class ChargedCard:
    brand: str = strawberry.field(description="Card brand as the gateway reports it, e.g. visa.")
    last4: str = strawberry.field(description="The card number's last four digits.")


@strawberry.type(description="One automatic (autopay) charge of an invoice.")
class PaymentAttempt:
    record: strawberry.Private[billing.PaymentAttempt]
    at: datetime = strawberry.field(description="When the charge was made.")
    retry: int = strawberry.field(description="0 for the first charge, n for the n-th retry.")
    outcome: PaymentAttemptOutcome = strawberry.field(description="How it ended.")
    decline_reason: DeclineReason | None = strawberry.field(
        description="Why it was declined or refused; null when it succeeded."
    )

    @typed_field(description="The card charged; null for roles that may not see saved cards (SITE, VIEWER).")
    def card(self, info: Info[Context, None]) -> ChargedCard | None:
        viewer = info.context.viewer
        card = self.record.card
        if card is None or viewer is None or not viewer.can_manage_billing:
            return None
        return ChargedCard(brand=card.brand, last4=card.last4)


@strawberry.type(
    description=(
        "An invoice's automatic charges after one was declined: Billing retries on fixed days after the first "
        "decline, and suspends the service for non-payment only after the last retry failed (and not before "
        "the grace days after the due date)."
    )
)
class Dunning:
    state: DunningState = strawberry.field(description="Retrying, ended unpaid, or recovered.")
    attempts: list[PaymentAttempt] = strawberry.field(description="Every automatic charge, oldest first.")
    retries: int = strawberry.field(description="How many retries the operator's schedule makes in all.")
    retries_left: int = strawberry.field(description="Retries not made yet (0 once it ended).")
    next_retry_on: date | None = strawberry.field(
        description="The day of the next automatic retry; null when none is left."
    )
    suspends_on: date | None = strawberry.field(
        description="The day the service is suspended if the invoice is still unpaid; null once recovered."
    )
    last_declined_at: datetime | None = strawberry.field(description="When the latest decline happened.")

    @classmethod
    def of(cls, d: billing.Dunning) -> Dunning:
        made = max((a.retry for a in d.attempts), default=0)
        declined = [a for a in d.attempts if a.outcome != "SUCCEEDED"]
        return cls(
            state=DunningState(d.state),
            attempts=[
                PaymentAttempt(
                    record=a,
                    at=a.at,
                    retry=a.retry,
                    outcome=PaymentAttemptOutcome(a.outcome),
                    decline_reason=decline_reason(a.decline_code) if a.outcome != "SUCCEEDED" else None,
                )
                for a in d.attempts
            ],
            retries=d.retries,
            retries_left=max(d.retries - made, 0) if d.state == "RETRYING" else 0,
            next_retry_on=d.next_retry_on,
            suspends_on=d.suspends_on,
            last_declined_at=declined[-1].at if declined else None,
        )
