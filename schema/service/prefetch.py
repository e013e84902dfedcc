"""What a page of sub-services pre-loads for its fields (`schema.core.prefetch` explains the mechanism):
the resolver that lists sub-services asks every loader its selection needs, for the whole page, before
any field runs. A backend that fails here fails only the fields that need it: its answer is attached as
`Failed`, and the page itself resolves.

One round: when the page is a window of the subscriber's whole list in the CRM's order (`window_reads`:
not for a SITE user, whose list is filtered by their sites, nor under a kind or status filter), its status,
profile, session, devices and billing are read by subscriber and window (`adapters.ports.window`), started
in the same tick as the CRM's list, instead of by the page's ids once the list is in. A sub-service that a
system's window does not cover (it does not know it yet, so its window is shifted) is read by id after.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Protocol

from adapters.errors import BackendError
from adapters.ports import aaa, crm, oss
from adapters.ports import billing as billing_port
from adapters.ports.window import Covered, SubscriberWindow
from schema.core.context import Context
from schema.core.errors import BadUserInput
from schema.core.loaders import BatchLoader, UsageKey
from schema.core.lookahead import SelectedField, below, names
from schema.core.prefetch import MISSING, Failed, Missing, failure
from schema.core.scalars import parse_date

MAX_USAGE_DAYS = oss.MAX_USAGE_DAYS


@dataclass(slots=True)
class Prefetched:
    """What the resolver of a page loaded for one sub-service, ahead of its fields."""

    status: aaa.ServiceStatus | Missing | Failed | None = MISSING
    profile: aaa.BandwidthProfile | Missing | Failed | None = MISSING
    session: aaa.LiveSession | Missing | Failed | None = MISSING
    devices: list[oss.Device] | Missing | Failed = MISSING
    addons: list[oss.AddOn] | Missing | Failed = MISSING
    installments: list[billing_port.InstallmentPlan] | Missing | Failed = MISSING
    billing: billing_port.SubServiceBilling | Missing | Failed | None = MISSING
    account: billing_port.BillingAccount | Missing | Failed | None = MISSING
    usage: dict[UsageKey, oss.Usage | Failed | None] = field(default_factory=dict)
    # Set when warming the page's open invoices failed: `openInvoices` then fails without asking again.
    open_invoices: Failed | None = None


class Prefetching(Protocol):
    """A sub-service object as pre-loading sees it: its CRM record and where the answers go."""

    @property
    def record(self) -> crm.SubService: ...

    @property
    def prefetched(self) -> Prefetched: ...


def usage_key(subservice_id: str, start: date | None, end: date | None) -> UsageKey:
    """Validate a usage period (BAD_USER_INPUT) and key it; OSS fills in what is left open."""
    if start is not None and end is not None:
        if start > end:
            raise BadUserInput("`from` must not be after `to`.", field="from")
        if (end - start) >= timedelta(days=MAX_USAGE_DAYS):
            raise BadUserInput(f"A usage period covers at most {MAX_USAGE_DAYS} days.", field="from")
    return UsageKey(subservice_id, start, end)


def _usage_keys(fields: list[SelectedField], subservice_id: str) -> list[UsageKey]:
    keys = []
    for f in fields:
        if f.name != "usage":
            continue
        try:
            raw_from, raw_to = f.arguments.get("from"), f.arguments.get("to")
            start = parse_date(raw_from) if raw_from is not None else None
            end = parse_date(raw_to) if raw_to is not None else None
            keys.append(usage_key(subservice_id, start, end))
        except (ValueError, BadUserInput):
            continue  # the field itself reports the bad argument
    return keys


STATUS_FIELDS = frozenset({"status", "statusReason", "statusSince"})
BILLING_FIELDS = frozenset({"billing", "expiresAt", "renewable", "renewalPrice"})
Windowed = Mapping[str, Awaitable[Covered[Any]]]


def window_reads(context: Context, window: SubscriberWindow, fields: list[SelectedField]) -> Windowed:
    """Start NOW the subscriber-keyed reads that the selected `fields` of `window`'s sub-services need (each
    kind of data at most once per window and request: a second call gets the same futures), by the name
    `prefetch` attaches them under."""
    wanted = names(fields)
    loaders = context.loaders
    jobs: dict[str, Awaitable[Covered[Any]]] = {}
    if wanted & STATUS_FIELDS:
        jobs["status"] = loaders.statuses_by_window.load(window)
    if "profile" in wanted:
        jobs["profile"] = loaders.profiles_by_window.load(window)
    if "liveSession" in wanted:
        jobs["session"] = loaders.sessions_by_window.load(window)
    if "devices" in wanted:
        jobs["devices"] = loaders.devices_by_window.load(window)
    if wanted & BILLING_FIELDS:
        jobs["billing"] = loaders.billing_by_window.load(window)
    for job in jobs.values():
        # Whoever needs it awaits it; this only keeps a failure nobody got to from being "never retrieved".
        asyncio.ensure_future(job).add_done_callback(lambda f: f.cancelled() or f.exception())
    return jobs


async def from_window(
    covered_job: Awaitable[Covered[Any]], ids: Sequence[str], by_id: BatchLoader[str, Any]
) -> list[Any]:
    """The values for `ids` out of a subscriber-keyed read; those it did not cover, read by id."""
    covered = await covered_job
    missing = [i for i in ids if i not in covered.subservice_ids]
    extra = dict(zip(missing, await by_id.load_many(missing), strict=True)) if missing else {}
    return [extra[i] if i in extra else covered.found.get(i) for i in ids]


def prefetch(
    context: Context,
    items: Sequence[Prefetching],
    fields: list[SelectedField],
    windowed: Windowed | None = None,
) -> Awaitable[None]:
    """Ask the loaders NOW, for all `items` at once, for what the selected `fields` need; the returned
    awaitable attaches the results so those fields resolve synchronously. `windowed`: the subscriber-keyed
    reads already started for exactly these items (`window_reads`), used instead of reads by id.

    The `.load_many()` calls happen before this returns, so they join the batches of every other resolver
    woken in the same tick (awaiting anything first would split them: docs/performance.md). Other paths share the
    batches and the per-request cache through the loaders.
    """
    wanted = names(fields)
    loaders = context.loaders
    ids = [s.record.id for s in items]
    jobs: dict[str, Awaitable[Any]] = {}
    if not ids:
        wanted = set()

    def read(name: str, by_id: BatchLoader[str, Any]) -> Awaitable[list[Any]]:
        if windowed is not None and name in windowed:
            return from_window(windowed[name], ids, by_id)
        return by_id.load_many(ids)

    if wanted & STATUS_FIELDS:
        jobs["status"] = read("status", loaders.status_by_subservice_id)
    if "profile" in wanted:
        jobs["profile"] = read("profile", loaders.profile_by_subservice_id)
    if "liveSession" in wanted:
        jobs["session"] = read("session", loaders.session_by_subservice_id)
    if "devices" in wanted:
        jobs["devices"] = read("devices", loaders.devices_by_subservice_id)
    if "addOns" in wanted:
        jobs["addons"] = loaders.addons_by_subservice_id.load_many(ids)
    if "installments" in wanted:
        jobs["installments"] = loaders.installments_by_subservice_id.load_many(ids)
    if wanted & BILLING_FIELDS:
        jobs["billing"] = read("billing", loaders.billing_by_subservice_id)
    if wanted & {"billing", "renewable"}:
        jobs["account"] = loaders.account_by_subscriber_id.load_many([s.record.subscriber_id for s in items])
    usage_fields = [f for f in fields if f.name == "usage"]  # most pages select none: no key per item then
    usage_keys = [_usage_keys(usage_fields, i) for i in ids] if usage_fields else [[] for _ in ids]
    flat_keys = [k for keys in usage_keys for k in keys]
    if flat_keys:
        jobs["usage"] = loaders.usage_by_subservice_id.load_many(flat_keys)
    open_invoices = bool({"openInvoices", "openInvoiceShares"} & names(below(fields, "billing")))

    async def attach() -> None:
        if not jobs:
            return
        # Each kind of data succeeds or fails on its own: one backend down must not fail the page.
        answers = await asyncio.gather(*jobs.values(), return_exceptions=True)
        results: dict[str, list[Any] | Failed] = {}
        for name, answer in zip(jobs, answers, strict=True):
            if isinstance(answer, asyncio.CancelledError):
                raise answer
            results[name] = failure(answer, name) if isinstance(answer, BaseException) else answer
        for name, values in results.items():
            if name == "usage":
                continue
            for item, value in zip(items, _each(values, len(items)), strict=True):
                setattr(item.prefetched, name, value)
        if "usage" in results:
            usage = dict(zip(flat_keys, _each(results["usage"], len(flat_keys)), strict=True))
            for item, keys in zip(items, usage_keys, strict=True):
                item.prefetched.usage.update({k: usage[k] for k in keys})
        if open_invoices:
            await _prefetch_open_invoices(context, items)

    return attach()


def _each(values: list[Any] | Failed, count: int) -> list[Any]:
    """The answers of one pre-load, one per item; the same `Failed` for each when the load failed."""
    return [values] * count if isinstance(values, Failed) else values


async def _prefetch_open_invoices(context: Context, items: Sequence[Prefetching]) -> None:
    """Warm the invoice loader with every open invoice of the page in one batch: `openInvoices` of each
    sub-service then finds them in the cache."""
    records = [s.prefetched.billing for s in items]
    ids = [i for r in records if isinstance(r, billing_port.SubServiceBilling) for i in r.open_invoice_ids]
    if not ids:
        return
    try:
        await context.loaders.invoice_by_id.load_many(ids)
    except BackendError as exc:
        failed = failure(exc, "open invoices")
        for item in items:
            item.prefetched.open_invoices = failed
