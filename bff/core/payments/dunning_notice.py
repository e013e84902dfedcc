"""What the subscriber is told when an automatic (autopay) charge is declined, from Billing's dunning of the
invoice: when the next retry is, or that none is left and when the service would be suspended, and the one
step that settles it (update the card and pay, on the invoice in the portal, where the notice links)."""

from __future__ import annotations

from datetime import date

from adapters.ports.billing import Dunning, Invoice
from adapters.ports.money import Money


def _day(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B}"  # "Thursday 26 November": no year, the date is days away


def declined_notice(invoice: Invoice, amount: Money, dunning: Dunning | None) -> tuple[str, str]:
    """(title, body) of the PAYMENT_FAILED notice and its e-mail."""
    head = f"We could not charge your card {amount.display()} for invoice {invoice.number}."
    act = "Update your card and pay in one step from the invoice in the portal."
    if dunning is None or dunning.state == "RECOVERED":
        return "Payment failed", f"{head} The invoice is still open. {act}"
    if dunning.next_retry_on is not None:
        tail = f"We will try again on {_day(dunning.next_retry_on)}"
        if dunning.suspends_on is not None:
            tail += f"; your service stays connected until at least {_day(dunning.suspends_on)}"
        return "Card declined: we will retry", f"{head} {tail}. {act}"
    suspension = ""
    if dunning.suspends_on is not None:
        suspension = f" Unpaid, your service is suspended from {_day(dunning.suspends_on)}."
    return (
        "Card declined: last automatic attempt",
        f"{head} That was the last automatic attempt.{suspension} {act}",
    )
