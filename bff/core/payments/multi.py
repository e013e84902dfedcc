"""Settling one gateway payment of several invoices (`PaymentKind.INVOICES`, started by
`bff.core.payments.checkout.start_invoices_payment`): each invoice's share recorded against it, the services
those payments allow brought back, one notification summing it up, a `payment.settled` per invoice.

Exactly once like a single payment (`bff.core.payments.effects`): each invoice's share is a Billing write with a
key and an external reference of its own (`stripe:<pi>:payment:<invoice id>`, `<pi>/<invoice id>`), so a
repeat, a crash half-way through the list or the other event of the same payment finds the shares already
recorded and goes on. Everything that is checked against Billing is checked before the first write: an event
that contradicts it records nothing.

An invoice paid elsewhere between the checkout and now: Billing records the share and credits what exceeds
the invoice's balance to the wallet, in the same transaction (never lost, never charged twice). A cancelled
(VOID) one: its share goes to the wallet. The notification says which, from the replayed answers only.
"""

from __future__ import annotations

from decimal import Decimal

from adapters.errors import Rejected
from adapters.ports.billing import Invoice
from adapters.ports.crm import NotificationLink
from adapters.ports.gateway import PaymentReference
from adapters.ports.money import Money, wire_amount
from bff.core.backends import Backends
from bff.core.bus import SETTLED_INVOICE, BusEvent
from bff.core.payments.effects import Effects, invoice_subservices
from bff.core.payments.paid import EventRejected, GatewayPayment, iso_moment


async def settle_invoices(
    backends: Backends, effects: Effects, payment: GatewayPayment, reference: PaymentReference
) -> str:
    subscriber_id = reference.subscriber_id
    shares = reference.invoice_shares
    currency = payment.amount.currency
    if sum((s.amount for s in shares), Decimal(0)) != payment.amount.amount:
        raise EventRejected("the invoices' shares do not add up to the payment")
    found = await backends.billing.invoices([s.invoice_id for s in shares])
    invoices: list[Invoice] = []
    for share in shares:
        invoice = found.get(share.invoice_id)
        if invoice is None:
            raise EventRejected("an invoice of the payment does not exist")
        if invoice.subscriber_id != subscriber_id:
            raise EventRejected("an invoice of the payment belongs to another subscriber")
        if invoice.total.currency != currency:
            raise EventRejected("the payment's currency is not an invoice's")
        invoices.append(invoice)

    paid: list[Invoice] = []  # as Billing answered (replayed on a repeat)
    credited: list[tuple[Invoice, Money, str]] = []  # what went to the wallet, and why
    for invoice, share in zip(invoices, shares, strict=True):
        amount = Money(share.amount, currency)
        try:
            result = await effects.record_payment(payment.ref, invoice.id, amount, share=True)
        except Rejected as exc:
            if exc.code != "INVOICE_VOID":
                raise EventRejected(f"Billing refused a share of the payment ({exc.code})") from None
            # Cancelled since the checkout: the money was taken all the same, so the wallet keeps it.
            try:
                await effects.credit_wallet(
                    payment.ref,
                    subscriber_id,
                    amount,
                    f"Payment for cancelled invoice {invoice.number}",
                    share_of=invoice.id,
                )
            except Rejected as credit_exc:
                raise EventRejected(f"Billing refused the credit ({credit_exc.code})") from None
            credited.append((invoice, amount, "was cancelled"))
            continue
        paid.append(result.invoice)
        if result.wallet_credit is not None:
            credited.append((result.invoice, result.wallet_credit, "was already paid"))

    ids = list(dict.fromkeys(i for invoice in paid for i in invoice_subservices(invoice)))
    reactivated = await effects.reactivate_subservices(ids, payment.ref)
    await effects.notify(
        payment.ref,
        subscriber_id,
        "PAYMENT_RECEIVED",
        "Payment received",
        summary(payment.amount, invoices, paid, credited, reactivated),
        link=NotificationLink(kind="INVOICE"),
    )
    for invoice, share in zip(invoices, shares, strict=True):
        own = set(invoice_subservices(invoice))
        await effects.publish(
            BusEvent(
                id=f"{payment.ref}:settled:{invoice.id}",
                type="payment.settled",
                subscriber_id=subscriber_id,
                subservice_ids=invoice.subservice_ids,
                data={
                    "kind": SETTLED_INVOICE,
                    "amount": wire_amount(Money(share.amount, currency)),
                    "currency": currency,
                    "invoice_id": invoice.id,
                    "reactivated_subservice_ids": [i for i in reactivated if i in own],
                    "payment_ref": payment.ref,
                },
                occurred_at=iso_moment(payment.at),
            )
        )
    return "settled"


def summary(
    amount: Money,
    invoices: list[Invoice],
    paid: list[Invoice],
    credited: list[tuple[Invoice, Money, str]],
    reactivated: list[str],
) -> str:
    """The notification's text: the total and every invoice, what went to the wallet instead and why, what
    came back. Built from the replayed answers only, so a repeat sends the same text."""
    numbers = ", ".join(i.number for i in invoices)
    body = (
        f"We received your payment of {amount.display()} for {len(invoices)} invoices ({numbers}). Thank you!"
    )
    for invoice, credit, why in credited:
        body += f" Invoice {invoice.number} {why}, so {credit.display()} was added to your wallet instead."
    for invoice in paid:
        if invoice.balance.amount > 0:
            body += f" {invoice.balance.display()} remains to be paid on invoice {invoice.number}."
    if reactivated:
        body += (
            " Your service is active again." if len(reactivated) == 1 else " Your services are active again."
        )
    return body
