"""What a verified gateway event does: record the payment in Billing, bring back services suspended for
non-payment, tell the subscriber, publish it on the bus — each step safe to repeat.

A retried, concurrent or redelivered event repeats every step and changes nothing twice: each step is a
write keyed by the payment that its system of record applies once (`bff.core.payments.effects`), so a
delivery that finds a step done gets that step's first answer and goes on to the next. Nothing here depends
on Redis or on what this process remembers: a process killed between two steps, an answer lost on the way
back, or a Redis flushed in between all end with the next delivery finishing the work, exactly once. Both
`checkout.session.completed` and `payment_intent.succeeded` arrive for one checkout payment: either settles
it, the other finds everything done.

Backend outages propagate (`adapters.errors.Unavailable`: the webhook answers 5xx and the gateway retries).
`EventRejected` means the event contradicts Billing (foreign invoice, other currency) or carries a payment
reference that does not hold together: never recorded. Events are told apart by their typed
`GatewayEventKind`, which the gateway adapter parses; a type the portal does not handle has none.
"""

from __future__ import annotations

import logging
from typing import assert_never

from adapters.errors import NotFound, Rejected
from adapters.ports.billing import Invoice
from adapters.ports.crm import NotificationLink
from adapters.ports.gateway import (
    GatewayEvent,
    GatewayEventKind,
    InvalidPaymentReference,
    PaymentKind,
    PaymentOrigin,
    PaymentReference,
)
from adapters.ports.money import Money, wire_amount
from bff.core.backends import Backends
from bff.core.bus import SETTLED_ADD_ON, BusEvent, EventBus
from bff.core.payments.dunning_notice import declined_notice
from bff.core.payments.effects import AfterStep, Effects, carry_on
from bff.core.payments.multi import settle_invoices
from bff.core.payments.paid import EventRejected, GatewayPayment
from bff.core.payments.paid import iso_moment as _iso

log = logging.getLogger("wispgate.settlement")

HANDLED_TYPES = frozenset(kind.value for kind in GatewayEventKind)


__all__ = ["HANDLED_TYPES", "EventRejected", "GatewayPayment", "Settlement"]


class Settlement:
    def __init__(self, backends: Backends, bus: EventBus, *, after_step: AfterStep = carry_on) -> None:
        self.backends = backends
        self.effects = Effects(backends, bus, after_step)

    async def handle(self, event: GatewayEvent) -> str:
        """Apply one event; returns what was done (for the log and the answer)."""
        try:
            return await self._dispatch(event)
        except InvalidPaymentReference as exc:
            raise EventRejected(str(exc)) from None

    async def _dispatch(self, event: GatewayEvent) -> str:
        match event.kind:
            case GatewayEventKind.CHECKOUT_COMPLETED | GatewayEventKind.CHECKOUT_ASYNC_PAYMENT_SUCCEEDED:
                session = event.checkout_session
                if session is None:
                    return "ignored"
                if session.mode == "setup":
                    return await self._store_card_of_session(session.id, session.payment_reference)
                if session.payment_status != "paid":
                    return "awaiting_payment"  # an async method: the async_payment_* event follows
                if session.payment_intent_id is None or session.amount is None:
                    raise EventRejected("a paid session without a payment intent or amount")
                payment = GatewayPayment(
                    session.payment_intent_id,
                    session.amount,
                    session.payment_reference,
                    event.created,
                    session.payment_method_id,
                )
                return await self.settle(payment)
            case GatewayEventKind.PAYMENT_SUCCEEDED:
                intent = event.payment_intent
                if intent is None:
                    return "ignored"
                payment = GatewayPayment(
                    intent.id,
                    intent.amount,
                    intent.payment_reference,
                    event.created,
                    intent.payment_method_id,
                )
                return await self.settle(payment)
            case GatewayEventKind.PAYMENT_FAILED:
                intent = event.payment_intent
                reference = intent.payment_reference if intent is not None else None
                if intent is None or reference is None or reference.origin is not PaymentOrigin.AUTOPAY:
                    # A decline on the hosted page is shown to the subscriber right there.
                    return "ignored"
                return await self._failed(event, reference, intent.amount, intent.failure_code)
            case GatewayEventKind.CHECKOUT_ASYNC_PAYMENT_FAILED:
                session = event.checkout_session
                if session is None or session.amount is None:
                    return "ignored"
                return await self._failed(event, session.payment_reference, session.amount, None)
            case GatewayEventKind.SETUP_SUCCEEDED:
                setup = event.setup_intent
                if setup is None or setup.payment_method_id is None:
                    return "ignored"
                return await self._store_card(setup.payment_method_id, setup.payment_reference)
            case None:
                return "ignored"
            case unhandled:
                assert_never(unhandled)

    # ---- payments ---------------------------------------------------------------------------------------

    async def settle(self, payment: GatewayPayment) -> str:
        reference = payment.reference
        if reference is None or reference.kind is PaymentKind.SETUP:
            return "ignored"  # not a payment the portal started (or a setup)
        subscriber_id = reference.subscriber_id
        if payment.amount.amount <= 0:
            raise EventRejected("the amount is not positive")
        if reference.kind is PaymentKind.TOPUP:
            return await self._topup(payment, subscriber_id)
        if reference.kind is PaymentKind.ADD_ON:
            return await self._add_on(payment, reference)
        if reference.kind is PaymentKind.INVOICES:
            return await settle_invoices(self.backends, self.effects, payment, reference)
        invoice_id = reference.invoice_id
        if not invoice_id:
            raise EventRejected("an invoice payment without an invoice reference")
        try:
            invoice = await self.backends.billing.invoice(invoice_id)
        except NotFound:
            raise EventRejected("the invoice does not exist") from None
        if invoice.subscriber_id != subscriber_id:
            raise EventRejected("the invoice belongs to another subscriber")
        if invoice.total.currency != payment.amount.currency:
            raise EventRejected("the payment's currency is not the invoice's")
        if invoice.status == "VOID":
            # The money was taken all the same: it goes to the wallet rather than being lost.
            return await self._topup(
                payment, subscriber_id, f"Payment for cancelled invoice {invoice.number}"
            )
        try:
            result = await self.effects.record_payment(payment.ref, invoice.id, payment.amount)
        except Rejected as exc:
            raise EventRejected(f"Billing refused the payment ({exc.code})") from None
        paid = result.invoice
        if reference.save_card and payment.payment_method_id is not None:
            # "Update card and pay": the card paid with is autopay's from now on. The session's event may not
            # name the card; the intent's event for the same payment does, and storing it twice is a no-op.
            await self._save_paid_card(subscriber_id, payment.payment_method_id)
        reactivated = await self.effects.reactivate(paid, payment.ref)
        await self._notify_paid(paid, payment, reactivated)
        if result.wallet_credit is not None:
            await self._notify_credit(paid, payment, result.wallet_credit)
        settled = BusEvent(
            id=f"{payment.ref}:settled",
            type="payment.settled",
            subscriber_id=subscriber_id,
            subservice_ids=paid.subservice_ids,
            data={
                "kind": "INVOICE",
                "amount": wire_amount(payment.amount),
                "currency": payment.amount.currency,
                "invoice_id": paid.id,
                "reactivated_subservice_ids": reactivated,
                "payment_ref": payment.ref,
            },
            occurred_at=_iso(payment.at),
        )
        await self.effects.publish(settled)
        return "settled"

    async def _topup(
        self, payment: GatewayPayment, subscriber_id: str, description: str | None = None
    ) -> str:
        accounts = await self.backends.billing.accounts([subscriber_id])
        account = accounts.get(subscriber_id)
        if account is None:
            raise EventRejected("no billing account for the subscriber")
        if account.currency != payment.amount.currency:
            raise EventRejected("the payment's currency is not the account's")
        try:
            result = await self.effects.credit_wallet(
                payment.ref, subscriber_id, payment.amount, description or "Wallet top-up by card"
            )
        except Rejected as exc:
            raise EventRejected(f"Billing refused the credit ({exc.code})") from None
        await self.effects.notify(
            payment.ref,
            subscriber_id,
            "WALLET_CREDITED",
            "Wallet topped up",
            # No "now": the text is read later. No date either: the two gateway events that report one payment
            # may carry different days, and a repeat must send the same text.
            f"{payment.amount.display()} was added to your wallet. Your balance after the top-up:"
            f" {result.wallet_balance.display()}.",
            link=NotificationLink(kind="WALLET"),
        )
        settled = BusEvent(
            id=f"{payment.ref}:settled",
            type="payment.settled",
            subscriber_id=subscriber_id,
            data={
                "kind": "WALLET_TOPUP",
                "amount": wire_amount(payment.amount),
                "currency": payment.amount.currency,
                "invoice_id": None,
                "reactivated_subservice_ids": [],
                "payment_ref": payment.ref,
            },
            occurred_at=_iso(payment.at),
        )
        await self.effects.publish(settled)
        return "credited"

    async def _add_on(self, payment: GatewayPayment, reference: PaymentReference) -> str:
        """Buy the add-on the payment was for; lift a usage cap when it added data. When Billing refuses it (the
        add-on was bought meanwhile, or is no longer offered) the money goes to the wallet, not lost."""
        subscriber_id, subservice_id = reference.subscriber_id, reference.subservice_id
        add_on_id = reference.add_on_id
        if subservice_id is None or add_on_id is None:
            raise EventRejected("an add-on payment without its sub-service and add-on")
        billed = (await self.backends.billing.billed_subservices([subservice_id])).get(subservice_id)
        if billed is None or billed.subscriber_id != subscriber_id:
            raise EventRejected("the sub-service is not the subscriber's")
        try:
            purchase = await self.effects.buy_add_on(payment.ref, subservice_id, add_on_id, payment.amount)
        except Rejected as exc:
            if exc.code not in ("ALREADY_ACTIVE", "UNKNOWN_ADD_ON"):
                raise EventRejected(f"Billing refused the add-on ({exc.code})") from None
            return await self._topup(
                payment, subscriber_id, f"Payment for an add-on not applied ({billed.label})"
            )
        uncapped = (
            await self.effects.lift_usage_cap(payment.ref, subservice_id) if purchase.data_gb else False
        )
        body = (
            f"We received your payment of {payment.amount.display()} for {purchase.name} on {billed.label}."
        )
        if uncapped:
            body += " Your service is back to full speed."
        await self.effects.notify(
            payment.ref,
            subscriber_id,
            "PAYMENT_RECEIVED",
            "Add-on bought",
            body,
            subservice_id=subservice_id,
        )
        settled = BusEvent(
            id=f"{payment.ref}:settled",
            type="payment.settled",
            subscriber_id=subscriber_id,
            subservice_ids=(subservice_id,),
            data={
                "kind": SETTLED_ADD_ON,
                "amount": wire_amount(payment.amount),
                "currency": payment.amount.currency,
                "invoice_id": None,
                "reactivated_subservice_ids": [subservice_id] if uncapped else [],
                "payment_ref": payment.ref,
            },
            occurred_at=_iso(payment.at),
        )
        await self.effects.publish(settled)
        return "add_on_bought"

    async def _notify_paid(self, invoice: Invoice, payment: GatewayPayment, reactivated: list[str]) -> None:
        # Nothing about the wallet here: a SITE user sees the payments of their sites' invoices but not the
        # wallet, so an overpayment's credit is a notification of its own (`_notify_credit`).
        body = (
            f"We received your payment of {payment.amount.display()} for invoice {invoice.number}. Thank you!"
        )
        if invoice.balance.amount > 0:
            body += f" {invoice.balance.display()} remains to be paid."
        if reactivated:
            body += " Your service is active again."
        await self.effects.notify(
            payment.ref,
            invoice.subscriber_id,
            "PAYMENT_RECEIVED",
            "Payment received",
            body,
            subservice_id=invoice.subservice_id,
            link=NotificationLink(kind="INVOICE", id=invoice.id),
        )

    async def _notify_credit(self, invoice: Invoice, payment: GatewayPayment, credit: Money) -> None:
        await self.effects.notify(
            f"{payment.ref}:credit",  # a notification of its own, with a key of its own
            invoice.subscriber_id,
            "WALLET_CREDITED",
            "Overpayment credited to your wallet",
            f"{credit.display()} more than invoice {invoice.number} was due was added to your wallet.",
            link=NotificationLink(kind="WALLET"),
        )

    async def _failed(
        self,
        event: GatewayEvent,
        reference: PaymentReference | None,
        amount: Money,
        decline_code: str | None,
    ) -> str:
        if reference is None or reference.kind is not PaymentKind.INVOICE or not reference.invoice_id:
            return "ignored"
        subscriber_id, invoice_id = reference.subscriber_id, reference.invoice_id
        try:
            invoice = await self.backends.billing.invoice(invoice_id)
        except NotFound:
            raise EventRejected("the invoice does not exist") from None
        if invoice.subscriber_id != subscriber_id:
            raise EventRejected("the invoice belongs to another subscriber")
        failed = BusEvent(
            id=f"{event.id}:failed",
            type="payment.failed",
            subscriber_id=subscriber_id,
            subservice_ids=invoice.subservice_ids,
            data={
                "invoice_id": invoice.id,
                "amount": wire_amount(amount),
                "currency": amount.currency,
                "decline_code": decline_code,
            },
            occurred_at=_iso(event.created),
        )
        # What happens next is Billing's dunning schedule: the notice says when the next retry is.
        dunning = (await self.backends.billing.dunning([invoice.id])).get(invoice.id)
        title, body = declined_notice(invoice, amount, dunning)
        # Every failed charge is worth telling: keyed by the event, not the payment.
        await self.effects.notify(
            event.id,
            subscriber_id,
            "PAYMENT_FAILED",
            title,
            body,
            subservice_id=invoice.subservice_id,
            link=NotificationLink(kind="INVOICE", id=invoice.id),
        )
        await self.effects.publish(failed)
        return "failure_notified"

    # ---- cards ------------------------------------------------------------------------------------------

    async def _save_paid_card(self, subscriber_id: str, payment_method_id: str) -> None:
        card = await self.backends.gateway.payment_method(payment_method_id)
        try:
            await self.backends.billing.add_payment_method(
                subscriber_id,
                gateway_token=card.id,
                brand=card.brand,
                last4=card.last4,
                exp_month=card.exp_month,
                exp_year=card.exp_year,
                make_default=True,
            )
        except Rejected as exc:
            # The payment stands; only the card is not kept (e.g. it expires this month).
            log.warning("the card paid with was not saved (%s)", exc.code)

    async def _store_card_of_session(self, session_id: str, reference: PaymentReference | None) -> str:
        if reference is None or reference.kind is not PaymentKind.SETUP:
            return "ignored"
        session = await self.backends.gateway.checkout_session(session_id)
        if session.payment_method_id is None:
            raise EventRejected("a completed setup session without a card")
        return await self._store_card(session.payment_method_id, reference)

    async def _store_card(self, payment_method_id: str, reference: PaymentReference | None) -> str:
        if reference is None or reference.kind is not PaymentKind.SETUP:
            return "ignored"
        subscriber_id = reference.subscriber_id
        accounts = await self.backends.billing.accounts([subscriber_id])
        account = accounts.get(subscriber_id)
        if account is None:
            raise EventRejected("no billing account for the subscriber")
        card = await self.backends.gateway.payment_method(payment_method_id)
        if account.gateway_customer_id is not None and card.customer_id != account.gateway_customer_id:
            raise EventRejected("the card belongs to another gateway customer")
        try:
            await self.backends.billing.add_payment_method(
                subscriber_id,
                gateway_token=card.id,
                brand=card.brand,
                last4=card.last4,
                exp_month=card.exp_month,
                exp_year=card.exp_year,
                make_default=account.default_payment_method_id is None,
            )
        except Rejected as exc:
            raise EventRejected(f"Billing refused the card ({exc.code})") from None
        return "card_stored"
