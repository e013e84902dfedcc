"""Subscriber-keyed reads: what a core system knows about a window of ONE subscriber's sub-services.

The token names the subscriber, so the BFF can ask AAA, OSS and Billing for a page's data in the same round
as the CRM's list, before it knows the page's sub-service ids: the window is "the `limit` sub-services from
`offset`, in the order the CRM lists them" (the natural order of the ids, which every core system can
compute alone). The answer says which sub-services it covered, so that the BFF sees where a system's window
and the CRM's page differ (a sub-service one system does not know yet) and reads those by id instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

V = TypeVar("V")


@dataclass(frozen=True, slots=True)
class SubscriberWindow:
    subscriber_id: str
    offset: int = 0
    limit: int | None = None  # None: every sub-service from `offset`


@dataclass(frozen=True, slots=True)
class Covered(Generic[V]):
    """A subscriber-keyed read's answer: `found` by sub-service id, for the sub-services of `subservice_ids`
    (the window as this system sees it). An id covered but absent from `found` has nothing here."""

    subservice_ids: frozenset[str]
    found: Mapping[str, V]
