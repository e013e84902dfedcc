"""Per-request dataloaders, named `<Result>By<Key>Loader`.

Each collects the keys asked for during one tick of the event loop and fetches them with ONE batch call to
its backend, so a page of 500 sub-services costs the same number of backend calls as a page of one. Loaders
are built for every request (`Loaders(backends)` in the context) and cache only for that request: the portal
shows live data, and one viewer's batch never serves another.

Results are aligned with the keys: a key the backend does not know resolves to `None` (or an empty list for
one-to-many loaders). A backend failure is the answer for each key of its batch, cached like any other.
Note (docs/performance.md): `.load()` calls only share a batch if nothing is awaited between them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar, cast, overload

from aiodataloader import DataLoader

from adapters.errors import BackendError, ContractViolation, Rejected, Unavailable
from adapters.ports.aaa import BandwidthProfile, LiveSession, ServiceStatus
from adapters.ports.billing import (
    BillingAccount,
    Dunning,
    InstallmentPlan,
    Invoice,
    Offers,
    PaymentRecord,
    SubServiceBilling,
)
from adapters.ports.cpe import CpeView, DeviceTask, Incident
from adapters.ports.crm import Notification, Subscriber, SubService
from adapters.ports.oss import AddOn, Device, Usage
from adapters.ports.tickets import Ticket, TicketSummary
from adapters.ports.window import Covered, SubscriberWindow
from bff.core.backends import Backends
from schema.core.errors import BadUserInput
from schema.core.inventory import all_subservices_of, subservices_by_id

K = TypeVar("K")
V = TypeVar("V")

CRM_PAGE = 200  # the CRM's largest page for tickets
_ABSENT: Any = object()


class BatchLoader(Generic[K, V]):
    """A typed face over `aiodataloader.DataLoader`; subclasses implement `batch_load`."""

    def __init__(self, backends: Backends) -> None:
        self.backends = backends
        self._loader: Any = DataLoader(batch_load_fn=self._dispatch)
        # Records another loader came across (`prime`), cached only once a key of them is asked for.
        self._known: dict[K, V] = {}

    async def _dispatch(self, keys: list[K]) -> list[V | Exception]:
        try:
            return list(await self.batch_load(keys))
        except (Unavailable, ContractViolation) as exc:
            # Answered per key, a failure stays in this request's cache (a failed batch would be forgotten,
            # and the next field to load a key would wait on the same dead backend again): within one request
            # a backend that failed is asked once, and every field that needs it fails alone.
            return [exc] * len(keys)

    async def batch_load(self, keys: list[K]) -> Sequence[V | Exception]:
        raise NotImplementedError

    def load(self, key: K) -> asyncio.Future[V]:
        if self._known:
            self._promote(key)
        return cast("asyncio.Future[V]", self._loader.load(key))

    def load_many(self, keys: Iterable[K]) -> Awaitable[list[V]]:
        keys = list(keys)
        if self._known:
            for key in keys:
                self._promote(key)
        return cast("Awaitable[list[V]]", self._loader.load_many(keys))

    def prime(self, key: K, value: V) -> None:
        """`value` is what loading `key` would give (the first one primed is kept, as aiodataloader does): a
        later `load(key)` costs no backend call. Kept in a plain dict until then, not in aiodataloader's
        cache, whose entries are resolved futures: the dashboard's sub-service list primed every sub-service
        of the page twice (1,000 futures at N = 500) and not one of them was ever loaded."""
        self._known.setdefault(key, value)

    def _promote(self, key: K) -> None:
        value = self._known.pop(key, _ABSENT)
        if value is not _ABSENT:
            self._loader.prime(key, value)  # a no-op when `key` was loaded before it was primed


# ----------------------------------------------------------------------------------------------- CRM


class SubscriberByIdLoader(BatchLoader[str, Subscriber | None]):
    async def batch_load(self, keys: list[str]) -> list[Subscriber | None]:
        found = await self.backends.crm.subscribers(keys)
        return [found.get(k) for k in keys]


class SubServiceByIdLoader(BatchLoader[str, SubService | None]):
    async def batch_load(self, keys: list[str]) -> list[SubService | None]:
        found = await subservices_by_id(self.backends, keys)
        return [found.get(k) for k in keys]


class SubServicesBySubscriberIdLoader(BatchLoader[str, list[SubService]]):
    """Every sub-service of a subscriber, in the CRM's stable order (one call up to 1,000; Billing's list
    when the CRM fails: `schema.core.inventory`). Primes
    `by_id`, so that an invoice's or a ticket's sub-service found later costs no call of its own."""

    def __init__(self, backends: Backends, by_id: SubServiceByIdLoader) -> None:
        super().__init__(backends)
        self.by_id = by_id

    async def batch_load(self, keys: list[str]) -> list[list[SubService]]:
        found = list(await asyncio.gather(*(all_subservices_of(self.backends, k) for k in keys)))
        for records in found:
            for record in records:
                self.by_id.prime(record.id, record)
        return found


@dataclass(frozen=True, slots=True)
class TicketsKey:
    subscriber_id: str
    status: str | None


class TicketsBySubscriberIdLoader(BatchLoader[TicketsKey, list[TicketSummary]]):
    """All of a subscriber's tickets (newest first), following the CRM's cursors."""

    async def _all(self, key: TicketsKey) -> list[TicketSummary]:
        statuses = (key.status,) if key.status else ()
        items: list[TicketSummary] = []
        after: str | None = None
        while True:
            page = await self.backends.tickets.tickets_of(key.subscriber_id, statuses, CRM_PAGE, after)
            items += page.items
            if page.next_cursor is None or not page.items or page.next_cursor == after:
                return items
            after = page.next_cursor

    async def batch_load(self, keys: list[TicketsKey]) -> list[list[TicketSummary]]:
        return list(await asyncio.gather(*(self._all(k) for k in keys)))


class TicketByIdLoader(BatchLoader[str, Ticket | None]):
    """Full tickets, with their messages and attachments."""

    async def batch_load(self, keys: list[str]) -> list[Ticket | None]:
        found = await self.backends.tickets.tickets(keys)
        return [found.get(k) for k in keys]


@dataclass(frozen=True, slots=True)
class NotificationsKey:
    subscriber_id: str
    user_id: str
    unread_only: bool = False


@dataclass(frozen=True, slots=True)
class NotificationList:
    items: list[Notification]  # newest first, everything the user may see
    unread_count: int


class NotificationsByUserIdLoader(BatchLoader[NotificationsKey, NotificationList]):
    """A user's notifications (the CRM already applies what a SITE user may see), following cursors."""

    async def _all(self, key: NotificationsKey) -> NotificationList:
        items: list[Notification] = []
        after: str | None = None
        while True:
            page = await self.backends.crm.notifications(
                key.subscriber_id, key.user_id, key.unread_only, CRM_PAGE, after
            )
            items += page.items
            if page.next_cursor is None or not page.items or page.next_cursor == after:
                return NotificationList(items, page.unread_count)
            after = page.next_cursor

    async def batch_load(self, keys: list[NotificationsKey]) -> list[NotificationList]:
        return list(await asyncio.gather(*(self._all(k) for k in keys)))


# ----------------------------------------------------------------------------------------------- AAA


class StatusBySubServiceIdLoader(BatchLoader[str, ServiceStatus | None]):
    async def batch_load(self, keys: list[str]) -> list[ServiceStatus | None]:
        found = await self.backends.aaa.statuses(keys)
        return [found.get(k) for k in keys]


class ProfileBySubServiceIdLoader(BatchLoader[str, BandwidthProfile | None]):
    async def batch_load(self, keys: list[str]) -> list[BandwidthProfile | None]:
        found = await self.backends.aaa.profiles(keys)
        return [found.get(k) for k in keys]


class SessionBySubServiceIdLoader(BatchLoader[str, LiveSession | None]):
    async def batch_load(self, keys: list[str]) -> list[LiveSession | None]:
        found = await self.backends.aaa.sessions(keys)
        return [found.get(k) for k in keys]


# ----------------------------------------------------------------------------------------------- OSS


class DevicesBySubServiceIdLoader(BatchLoader[str, list[Device]]):
    async def batch_load(self, keys: list[str]) -> list[list[Device]]:
        found = await self.backends.oss.devices_for(keys)
        return [found.get(k, []) for k in keys]


class AddOnsBySubServiceIdLoader(BatchLoader[str, list[AddOn]]):
    async def batch_load(self, keys: list[str]) -> list[list[AddOn]]:
        found = await self.backends.oss.addons_for(keys)
        return [found.get(k, []) for k in keys]


class CpeByDeviceIdLoader(BatchLoader[str, CpeView | None]):
    """Wi-Fi networks and hosts of managed devices (None: not managed through the ACS)."""

    async def batch_load(self, keys: list[str]) -> list[CpeView | None]:
        found = await self.backends.oss.cpe_for(keys)
        return [found.get(k) for k in keys]


class TasksByDeviceIdLoader(BatchLoader[str, list[DeviceTask]]):
    async def batch_load(self, keys: list[str]) -> list[list[DeviceTask]]:
        found = await self.backends.oss.tasks_for(keys)
        return [found.get(k, []) for k in keys]


class IncidentsBySubServiceIdLoader(BatchLoader[str, list[Incident]]):
    """The open incidents affecting each sub-service (one call for every key)."""

    async def batch_load(self, keys: list[str]) -> list[list[Incident]]:
        grouped: dict[str, list[Incident]] = {k: [] for k in keys}
        for incident in await self.backends.oss.incidents_for(keys):
            for subservice_id in incident.subservice_ids:
                grouped.setdefault(subservice_id, []).append(incident)
        return [grouped[k] for k in keys]


@dataclass(frozen=True, slots=True)
class UsageKey:
    """A sub-service's usage over `[start, end]`; None lets OSS pick (end: today, start: 29 days before)."""

    subservice_id: str
    start: date | None = None
    end: date | None = None


class UsageBySubServiceIdLoader(BatchLoader[UsageKey, Usage | None]):
    """One OSS call per distinct period asked for in this tick (normally exactly one)."""

    async def _period(
        self, start: date | None, end: date | None, ids: list[str]
    ) -> dict[str, Usage] | Exception:
        try:
            return await self.backends.oss.usage_for(ids, start, end)
        except Rejected as exc:
            # INVALID_PERIOD / PERIOD_TOO_LONG: the client's arguments, not a fault of ours.
            return BadUserInput(f"Usage period refused: {exc.message}", reason=exc.code)

    async def batch_load(self, keys: list[UsageKey]) -> list[Usage | Exception | None]:
        periods: dict[tuple[date | None, date | None], list[str]] = {}
        for key in keys:
            periods.setdefault((key.start, key.end), []).append(key.subservice_id)
        results = await asyncio.gather(*(self._period(s, e, ids) for (s, e), ids in periods.items()))
        by_period = dict(zip(periods, results, strict=True))
        out: list[Usage | Exception | None] = []
        for key in keys:
            found = by_period[(key.start, key.end)]
            out.append(found if isinstance(found, Exception) else found.get(key.subservice_id))
        return out


# ----------------------------------------------------------------------------------------------- Billing


class AccountBySubscriberIdLoader(BatchLoader[str, BillingAccount | None]):
    async def batch_load(self, keys: list[str]) -> list[BillingAccount | None]:
        found = await self.backends.billing.accounts(keys)
        return [found.get(k) for k in keys]


class BillingBySubServiceIdLoader(BatchLoader[str, SubServiceBilling | None]):
    async def batch_load(self, keys: list[str]) -> list[SubServiceBilling | None]:
        found = await self.backends.billing.subservice_billing(keys)
        return [found.get(k) for k in keys]


class InstallmentsBySubServiceIdLoader(BatchLoader[str, list[InstallmentPlan]]):
    async def batch_load(self, keys: list[str]) -> list[list[InstallmentPlan]]:
        found = await self.backends.billing.installments(keys)
        return [found.get(k, []) for k in keys]


class InvoiceByIdLoader(BatchLoader[str, Invoice | None]):
    async def batch_load(self, keys: list[str]) -> list[Invoice | None]:
        found = await self.backends.billing.invoices(keys)
        return [found.get(k) for k in keys]


class PaymentsByInvoiceIdLoader(BatchLoader[str, list[PaymentRecord]]):
    async def batch_load(self, keys: list[str]) -> list[list[PaymentRecord]]:
        found = await self.backends.billing.payments_for_invoices(keys)
        return [found.get(k, []) for k in keys]


@dataclass(frozen=True, slots=True)
class InvoicesKey:
    subscriber_id: str
    status: str | None = None


class InvoicesBySubscriberIdLoader(BatchLoader[InvoicesKey, list[Invoice]]):
    """A subscriber's invoices, newest first, optionally of one status (one call per distinct status).
    Primes `by_id` (a sub-service's open invoices are usually among them)."""

    def __init__(self, backends: Backends, by_id: InvoiceByIdLoader) -> None:
        super().__init__(backends)
        self.by_id = by_id

    async def batch_load(self, keys: list[InvoicesKey]) -> list[list[Invoice]]:
        statuses: dict[str | None, list[str]] = {}
        for key in keys:
            statuses.setdefault(key.status, []).append(key.subscriber_id)
        results = await asyncio.gather(
            *(self.backends.billing.invoices_for_subscribers(ids, status) for status, ids in statuses.items())
        )
        by_status = dict(zip(statuses, results, strict=True))
        for grouped in results:
            for invoices in grouped.values():
                for invoice in invoices:
                    self.by_id.prime(invoice.id, invoice)
        return [by_status[k.status].get(k.subscriber_id, []) for k in keys]


class DunningByInvoiceIdLoader(BatchLoader[str, Dunning | None]):
    async def batch_load(self, keys: list[str]) -> list[Dunning | None]:
        found = await self.backends.billing.dunning(keys)
        return [found.get(k) for k in keys]


class DunningBySubscriberIdLoader(BatchLoader[str, list[Dunning]]):
    """A subscriber's invoices in dunning, each with its invoice; primes `by_invoice` and `invoice_by_id`
    (the invoices' own `dunning` field and any read of them by id then cost nothing)."""

    def __init__(
        self, backends: Backends, by_invoice: DunningByInvoiceIdLoader, invoice_by_id: InvoiceByIdLoader
    ) -> None:
        super().__init__(backends)
        self.by_invoice = by_invoice
        self.invoice_by_id = invoice_by_id

    async def batch_load(self, keys: list[str]) -> list[list[Dunning]]:
        found = await self.backends.billing.dunning_for_subscribers(keys)
        for cases in found.values():
            for case in cases:
                self.by_invoice.prime(case.invoice_id, case)
                self.invoice_by_id.prime(case.invoice_id, case.invoice)
        return [found.get(k, []) for k in keys]


class OffersBySubServiceIdLoader(BatchLoader[str, Offers | None]):
    async def batch_load(self, keys: list[str]) -> list[Offers | None]:
        found = await self.backends.billing.offers(keys)
        return [found.get(k) for k in keys]


# ----------------------------------------------------------------------------------------- by subscriber


class ByWindowLoader(BatchLoader[SubscriberWindow, Covered[V]]):
    """A subscriber-keyed read (`adapters.ports.window`): one call per distinct window, normally one per
    request. Keyed by the subscriber and the window, not by sub-service ids, so that it can start in the same
    round as the CRM's list (`schema.service.prefetch.window_reads`)."""

    def __init__(
        self, backends: Backends, read: Callable[[Backends, SubscriberWindow], Awaitable[Covered[V]]]
    ) -> None:
        super().__init__(backends)
        self.read = read
        self.asked: set[SubscriberWindow] = set()

    def load(self, key: SubscriberWindow) -> asyncio.Future[Covered[V]]:
        """`key`'s answer; the subscriber's whole list instead when that was asked for in this request (a
        page is part of it: one call instead of two, e.g. a page and the summary's breakdown)."""
        whole = SubscriberWindow(key.subscriber_id)
        if whole in self.asked:
            key = whole
        self.asked.add(key)
        return super().load(key)

    async def batch_load(self, keys: list[SubscriberWindow]) -> list[Covered[V] | Exception]:
        answers = await asyncio.gather(*(self.read(self.backends, k) for k in keys), return_exceptions=True)
        out: list[Covered[V] | Exception] = []
        for answer in answers:
            if isinstance(answer, BaseException) and not isinstance(answer, BackendError):
                raise answer
            out.append(answer)
        return out


Owner = TypeVar("Owner")
Made = TypeVar("Made")


class once(Generic[Owner, Made]):  # used as a decorator, like the `cached_property` it replaces
    """A property computed on first use and kept in the instance: `functools.cached_property` without its lock
    (Python 3.11's takes one `RLock` shared by every instance; it was 2 % of the BFF's CPU per dashboard page,
    py-spy). One request's loaders live on one event loop thread, so nothing races."""

    def __init__(self, make: Callable[[Owner], Made]) -> None:
        self.make = make
        self.name = make.__name__

    def __set_name__(self, owner: type[Owner], name: str) -> None:
        self.name = name

    @overload
    def __get__(self, instance: None, owner: type[Owner] | None = None) -> once[Owner, Made]: ...
    @overload
    def __get__(self, instance: Owner, owner: type[Owner] | None = None) -> Made: ...
    def __get__(self, instance: Owner | None, owner: type[Owner] | None = None) -> Made | once[Owner, Made]:
        if instance is None:
            return self
        value = self.make(instance)
        instance.__dict__[self.name] = value  # the instance's attribute from now on: no descriptor call
        return value


class Loaders:
    """Every loader of one request, each built the first time it is used (inside the request's event loop,
    which aiodataloader binds to). Lazily, because an operation uses a few of the loaders (the dashboard's
    two operations build 14 of their 2 × 17), and a subscription builds a fresh set for every event.
    A loader that primes another (`by_id`) asks for it through its property, so both share one cache."""

    def __init__(self, backends: Backends) -> None:
        self._backends = backends

    @once
    def payments_by_invoice_id(self) -> PaymentsByInvoiceIdLoader:
        return PaymentsByInvoiceIdLoader(self._backends)

    @once
    def subscriber_by_id(self) -> SubscriberByIdLoader:
        return SubscriberByIdLoader(self._backends)

    @once
    def subservice_by_id(self) -> SubServiceByIdLoader:
        return SubServiceByIdLoader(self._backends)

    @once
    def subservices_by_subscriber_id(self) -> SubServicesBySubscriberIdLoader:
        return SubServicesBySubscriberIdLoader(self._backends, self.subservice_by_id)

    @once
    def tickets_by_subscriber_id(self) -> TicketsBySubscriberIdLoader:
        return TicketsBySubscriberIdLoader(self._backends)

    @once
    def ticket_by_id(self) -> TicketByIdLoader:
        return TicketByIdLoader(self._backends)

    @once
    def notifications_by_user_id(self) -> NotificationsByUserIdLoader:
        return NotificationsByUserIdLoader(self._backends)

    @once
    def status_by_subservice_id(self) -> StatusBySubServiceIdLoader:
        return StatusBySubServiceIdLoader(self._backends)

    @once
    def profile_by_subservice_id(self) -> ProfileBySubServiceIdLoader:
        return ProfileBySubServiceIdLoader(self._backends)

    @once
    def session_by_subservice_id(self) -> SessionBySubServiceIdLoader:
        return SessionBySubServiceIdLoader(self._backends)

    @once
    def devices_by_subservice_id(self) -> DevicesBySubServiceIdLoader:
        return DevicesBySubServiceIdLoader(self._backends)

    @once
    def addons_by_subservice_id(self) -> AddOnsBySubServiceIdLoader:
        return AddOnsBySubServiceIdLoader(self._backends)

    @once
    def usage_by_subservice_id(self) -> UsageBySubServiceIdLoader:
        return UsageBySubServiceIdLoader(self._backends)

    @once
    def statuses_by_window(self) -> ByWindowLoader[ServiceStatus]:
        return ByWindowLoader(self._backends, lambda b, w: b.aaa.statuses_of(w))

    @once
    def profiles_by_window(self) -> ByWindowLoader[BandwidthProfile]:
        return ByWindowLoader(self._backends, lambda b, w: b.aaa.profiles_of(w))

    @once
    def sessions_by_window(self) -> ByWindowLoader[LiveSession]:
        return ByWindowLoader(self._backends, lambda b, w: b.aaa.sessions_of(w))

    @once
    def devices_by_window(self) -> ByWindowLoader[list[Device]]:
        return ByWindowLoader(self._backends, lambda b, w: b.oss.devices_of(w))

    @once
    def incidents_by_window(self) -> ByWindowLoader[list[Incident]]:
        return ByWindowLoader(self._backends, lambda b, w: b.oss.incidents_of(w))

    @once
    def billing_by_window(self) -> ByWindowLoader[SubServiceBilling]:
        return ByWindowLoader(self._backends, lambda b, w: b.billing.subservice_billing_of(w))

    @once
    def account_by_subscriber_id(self) -> AccountBySubscriberIdLoader:
        return AccountBySubscriberIdLoader(self._backends)

    @once
    def billing_by_subservice_id(self) -> BillingBySubServiceIdLoader:
        return BillingBySubServiceIdLoader(self._backends)

    @once
    def offers_by_subservice_id(self) -> OffersBySubServiceIdLoader:
        return OffersBySubServiceIdLoader(self._backends)

    @once
    def installments_by_subservice_id(self) -> InstallmentsBySubServiceIdLoader:
        return InstallmentsBySubServiceIdLoader(self._backends)

    @once
    def invoice_by_id(self) -> InvoiceByIdLoader:
        return InvoiceByIdLoader(self._backends)

    @once
    def invoices_by_subscriber_id(self) -> InvoicesBySubscriberIdLoader:
        return InvoicesBySubscriberIdLoader(self._backends, self.invoice_by_id)

    @once
    def dunning_by_invoice_id(self) -> DunningByInvoiceIdLoader:
        return DunningByInvoiceIdLoader(self._backends)

    @once
    def dunning_by_subscriber_id(self) -> DunningBySubscriberIdLoader:
        return DunningBySubscriberIdLoader(self._backends, self.dunning_by_invoice_id, self.invoice_by_id)

    @once
    def cpe_by_device_id(self) -> CpeByDeviceIdLoader:
        return CpeByDeviceIdLoader(self._backends)

    @once
    def tasks_by_device_id(self) -> TasksByDeviceIdLoader:
        return TasksByDeviceIdLoader(self._backends)

    @once
    def incidents_by_subservice_id(self) -> IncidentsBySubServiceIdLoader:
        return IncidentsBySubServiceIdLoader(self._backends)
