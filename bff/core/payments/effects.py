"""The side effects of a gateway event, each one safe to repeat after a crash, a lost answer or a lost Redis.

Every write carries an idempotency key derived from the payment (the gateway's PaymentIntent id, which both
`checkout.session.completed` and `payment_intent.succeeded` name) or, for a failure, from the event:

| effect | where | key |
|---|---|---|
| the payment (or the top-up credit) | Billing | `stripe:<pi>:payment` (`stripe:<pi>:credit`) |
| the add-on bought (once per payment) | Billing | `stripe:<pi>:add-on` (and the payment itself as its reference) |
| a usage-cap restriction lifted | AAA | `stripe:<pi>:uncap:<sub-service id>` |
| the service brought back | AAA, per sub-service | `stripe:<pi>:reactivate:<sub-service id>` |
| several invoices: each one's payment (or, void, its credit) | Billing | `stripe:<pi>:payment:<invoice id>` (`…:credit:<invoice id>`), external reference `<pi>/<invoice id>` |
| the notification and its e-mail | CRM, one transaction | `stripe:<pi>:notify` (`stripe:<evt>:notify`) |
| the push | the bus | event id `<pi>:settled` (`<evt>:failed`) |

The system of record stores the first answer for a key and answers it again for a repeat, so an event that
is delivered again re-runs every step and changes nothing twice, whatever this process remembered (nothing,
if it was killed) and whatever Redis holds (nothing, if it was flushed). The bus cannot store answers: its
subscribers drop an event id they have already delivered (`bff.core.bus`).

What a repeat must send is what the first attempt sent, or the CRM refuses it (409): so the notification's
text is built only from answers that are themselves replayed — the payment's result and the reactivations
that AAA confirms for this payment's keys — never from state that a first attempt may have changed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from adapters.errors import NotFound, Rejected
from adapters.ports.billing import AddOnPurchase, Invoice, PaymentResult, WalletCreditResult
from adapters.ports.crm import NotificationLink
from adapters.ports.money import Money
from bff.core.backends import Backends
from bff.core.bus import BusEvent, EventBus

log = logging.getLogger("wispgate.settlement")

DOWN_STATUSES = ("SUSPENDED", "RESTRICTED")
NON_PAYMENT = "NON_PAYMENT"
USAGE_CAP = "USAGE_CAP"
KEY_PREFIX = "stripe"

# The steps of a settlement, in order; each is reported to `after_step` once it is done.
PAYMENT_RECORDED = "payment_recorded"
REACTIVATED = "reactivated"
NOTIFIED = "notified"
PUBLISHED = "published"
STEPS = (PAYMENT_RECORDED, REACTIVATED, NOTIFIED, PUBLISHED)

AfterStep = Callable[[str], None]


def key(ref: str, effect: str) -> str:
    """The idempotency key of one effect of the payment (or event) `ref`."""
    return f"{KEY_PREFIX}:{ref}:{effect}"


def share_ref(ref: str, invoice_id: str) -> str:
    """Billing's external reference of one invoice's share of a payment of several invoices."""
    return f"{ref}/{invoice_id}"


def invoice_subservices(invoice: Invoice) -> list[str]:
    """The sub-services an invoice bills: its own and those of its lines, in order, once each."""
    on_lines = [line.subservice_id for line in invoice.lines if line.subservice_id]
    return list(dict.fromkeys([*invoice.subservice_ids, *on_lines]))


def reactivation_note(ref: str) -> str:
    """The note AAA keeps with a status this payment changed: how a later attempt finds its own work."""
    return f"Payment {ref} received"


def carry_on(_step: str) -> None:
    """The default `after_step`: nothing. The crash tests put a SIGKILL here."""
    return None


class Effects:
    """The keyed writes of a settlement (see the module)."""

    def __init__(self, backends: Backends, bus: EventBus, after_step: AfterStep = carry_on) -> None:
        self.backends = backends
        self.bus = bus
        self.after_step = after_step

    async def record_payment(
        self, ref: str, invoice_id: str, amount: Money, *, share: bool = False
    ) -> PaymentResult:
        """`share`: the invoice's part of a payment of several invoices, recorded under a reference and a key
        of its own (Billing records one payment per external reference)."""
        result = await self.backends.billing.record_payment(
            external_ref=share_ref(ref, invoice_id) if share else ref,
            invoice_id=invoice_id,
            amount=amount,
            method="CARD",
            idempotency_key=key(ref, f"payment:{invoice_id}" if share else "payment"),
        )
        self.after_step(PAYMENT_RECORDED)
        return result

    async def credit_wallet(
        self, ref: str, subscriber_id: str, amount: Money, description: str, *, share_of: str | None = None
    ) -> WalletCreditResult:
        """`share_of`: the invoice whose share of a payment of several invoices is credited instead."""
        result = await self.backends.billing.credit_wallet(
            subscriber_id=subscriber_id,
            amount=amount,
            external_ref=share_ref(ref, share_of) if share_of else ref,
            description=description,
            idempotency_key=key(ref, f"credit:{share_of}" if share_of else "credit"),
        )
        self.after_step(PAYMENT_RECORDED)
        return result

    async def buy_add_on(self, ref: str, subservice_id: str, add_on_id: str, amount: Money) -> AddOnPurchase:
        result = await self.backends.billing.buy_add_on(
            subservice_id,
            add_on_id,
            paid_by="CARD",
            external_ref=ref,
            amount=amount,
            idempotency_key=key(ref, "add-on"),
        )
        self.after_step(PAYMENT_RECORDED)
        return result

    async def lift_usage_cap(self, ref: str, subservice_id: str) -> bool:
        """Data was added: a sub-service restricted for its usage cap is active again at once."""
        changed = await lift_usage_cap(self.backends, subservice_id, key(ref, f"uncap:{subservice_id}"))
        self.after_step(REACTIVATED)
        return changed

    async def reactivate(self, invoice: Invoice, ref: str) -> list[str]:
        """The invoice's sub-services this payment brings back (or brought back on an earlier attempt).

        A sub-service comes back when it is down for NON_PAYMENT and has nothing overdue left (a suspension
        for any other reason stays). One that is ACTIVE with this payment's note was brought back by an
        earlier attempt: AAA's answer for its key confirms it, so it is listed again even though Redis and
        this process remember nothing."""
        return await self.reactivate_subservices(invoice_subservices(invoice), ref)

    async def reactivate_subservices(self, ids: list[str], ref: str) -> list[str]:
        """`reactivate` for the sub-services of one or several invoices this payment paid (see there)."""
        reactivated: list[str] = []
        if ids:
            note = reactivation_note(ref)
            statuses = await self.backends.aaa.statuses(ids)
            down = [
                i
                for i in ids
                if (s := statuses.get(i)) is not None
                and s.status in DOWN_STATUSES
                and s.reason == NON_PAYMENT
            ]
            earlier = [
                i
                for i in ids
                if (s := statuses.get(i)) is not None and s.status == "ACTIVE" and s.note == note
            ]
            overdue = (
                await self.backends.billing.invoices_for_subservices(down, status="OVERDUE") if down else {}
            )
            cleared = [i for i in down if not any(inv.balance.amount > 0 for inv in overdue.get(i, []))]
            for subservice_id in [i for i in ids if i in cleared or i in earlier]:
                if await self._reactivate_one(subservice_id, ref, note):
                    reactivated.append(subservice_id)
        self.after_step(REACTIVATED)
        return reactivated

    async def _reactivate_one(self, subservice_id: str, ref: str, note: str) -> bool:
        try:
            result = await self.backends.aaa.reactivate(
                subservice_id,
                NON_PAYMENT,
                note=note,
                idempotency_key=key(ref, f"reactivate:{subservice_id}"),
            )
        except Rejected as exc:
            if exc.code == "REASON_MISMATCH":
                return False  # suspended for another reason since: that suspension stays
            raise
        except NotFound:
            return False
        return result.changed

    async def notify(
        self,
        ref: str,
        subscriber_id: str,
        kind: str,
        title: str,
        body: str,
        subservice_id: str | None = None,
        link: NotificationLink | None = None,
    ) -> None:
        """The notification and its e-mail (one CRM transaction, one key), linking to what it is about."""
        try:
            await self.backends.crm.notify(
                subscriber_id,
                kind,
                title,
                body,
                subservice_id=subservice_id,
                email=True,
                link=link,
                idempotency_key=key(ref, "notify"),
            )
        except Rejected as exc:
            if exc.code != "IDEMPOTENCY_CONFLICT":
                raise
            # Sent already, with a text that no longer matches what the accounts say now (e.g. the service
            # was suspended again since): the subscriber has the first one; a second would contradict it.
            log.warning(
                "notification %s was sent before with another text; not sent again", key(ref, "notify")
            )
        self.after_step(NOTIFIED)

    async def publish(self, event: BusEvent) -> None:
        await self.bus.publish(event)
        self.after_step(PUBLISHED)


async def lift_usage_cap(backends: Backends, subservice_id: str, idempotency_key: str) -> bool:
    """Lift a USAGE_CAP restriction (after data was bought); any other status stays as it is. True when this
    call (or the first call with this key) changed it."""
    try:
        result = await backends.aaa.reactivate(
            subservice_id, USAGE_CAP, note="Data added", idempotency_key=idempotency_key
        )
    except Rejected as exc:
        if exc.code == "REASON_MISMATCH":
            return False  # down for another reason: buying data does not bring it back
        raise
    except NotFound:
        return False
    return result.changed
