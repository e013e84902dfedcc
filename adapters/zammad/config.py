"""What the Zammad adapter needs to know about one Zammad instance: where it is, the token it calls with, and
how Zammad's vocabulary (states, groups, priorities, customers) maps onto the portal's.

Zammad's states, groups and priorities are the operator's own (they can be renamed and added to), so each
mapping is configuration with defaults that fit a fresh Zammad; `parse_mapping` reads the `name=VALUE,…` form
the environment gives them in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from adapters.ports.tickets import TICKET_CATEGORIES

CustomerMatch = Literal["email", "field"]
RatingStore = Literal["tag", "field"]

# A fresh Zammad's states (Admin → Ticket → States) onto the portal's. "pending close" is Zammad's "solved,
# closes by itself unless the customer answers": the portal's RESOLVED.
DEFAULT_STATES: Mapping[str, str] = {
    "new": "OPEN",
    "open": "IN_PROGRESS",
    "pending reminder": "WAITING_ON_CUSTOMER",
    "pending close": "RESOLVED",
    "closed": "CLOSED",
    "merged": "CLOSED",
}
# A fresh Zammad has three priorities; none is called urgent.
DEFAULT_PRIORITIES: Mapping[str, str] = {"1 low": "LOW", "2 normal": "NORMAL", "3 high": "HIGH"}
# A fresh Zammad has one group, "Users": every category goes there until the operator names its queues.
DEFAULT_GROUPS: Mapping[str, str] = {category: "Users" for category in TICKET_CATEGORIES}


class ConfigError(ValueError):
    """A mapping does not parse or names something the portal does not have."""


def parse_mapping(
    text: str, values: tuple[str, ...], *, name: str, keys: tuple[str, ...] = ()
) -> dict[str, str]:
    """`"pending close=RESOLVED, closed=CLOSED"` → `{"pending close": "RESOLVED", "closed": "CLOSED"}`; every
    value must be one of `values` (and every key one of `keys`, when given). Keys keep their case (Zammad's
    names are matched without case by the adapter)."""
    result: dict[str, str] = {}
    for part in text.split(","):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        key, value = key.strip(), value.strip().upper()
        if not sep or not key or not value:
            raise ConfigError(f"{name}: {part.strip()!r} is not name=VALUE")
        if value not in values:
            raise ConfigError(f"{name}: {value!r} is not one of {', '.join(values)}")
        if keys and key.upper() not in keys:
            raise ConfigError(f"{name}: {key!r} is not one of {', '.join(keys)}")
        result[key.upper() if keys else key] = value
    return result


def parse_groups(text: str, *, name: str) -> dict[str, str]:
    """`"CONNECTIVITY=Network, BILLING=Accounts"` → category → Zammad group name (the group keeps its case)."""
    result: dict[str, str] = {}
    for part in text.split(","):
        if not part.strip():
            continue
        category, sep, group = part.partition("=")
        category, group = category.strip().upper(), group.strip()
        if not sep or not group:
            raise ConfigError(f"{name}: {part.strip()!r} is not CATEGORY=Group name")
        if category not in TICKET_CATEGORIES:
            raise ConfigError(f"{name}: {category!r} is not one of {', '.join(TICKET_CATEGORIES)}")
        result[category] = group
    return result


@dataclass(frozen=True, slots=True)
class ZammadConfig:
    url: str  # e.g. "https://support.example.net" (the API is under /api/v1)
    # Never in a repr (a logged configuration): an agent's access token with ticket.agent and admin.user, and
    # the webhook's "HMAC SHA1 Signature Token" ("" = webhooks refused).
    token: str = field(repr=False)
    webhook_secret: str = field(default="", repr=False)
    connect_timeout_s: float = 1.0
    read_timeout_s: float = 5.0
    # How a subscriber is found among Zammad's customers: by the subscriber's contact e-mail, or by a custom
    # user attribute (Admin → Objects → User) holding the subscriber id.
    customer_match: CustomerMatch = "email"
    customer_field: str = ""
    states: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_STATES))
    priorities: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_PRIORITIES))
    groups: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_GROUPS))
    # Zammad has no customer rating: a tag "rating:N" on the ticket, or a custom ticket attribute.
    rating_store: RatingStore = "tag"
    rating_field: str = ""
    # Optional custom ticket attributes for what the portal knows and Zammad does not (empty: not stored).
    subservice_field: str = ""
    portal_user_field: str = ""
    # The promise shown for a category, and the due times of a ticket no Zammad SLA applies to.
    first_response_minutes: int = 8 * 60
    resolution_minutes: int = 3 * 24 * 60

    def status_of(self, state: str) -> str:
        """The portal's status for a Zammad state name; a state the mapping does not know counts as being
        worked on (an operator's new state must not make tickets vanish)."""
        wanted = state.strip().lower()
        for name, status in self.states.items():
            if name.lower() == wanted:
                return status
        return "IN_PROGRESS"

    def state_for(self, status: str) -> str:
        """The Zammad state a portal status is written as (the first that maps to it)."""
        for name, mapped in self.states.items():
            if mapped == status:
                return name
        raise ConfigError(f"ZAMMAD_STATES maps no Zammad state to {status}")

    def priority_of(self, name: str) -> str:
        wanted = name.strip().lower()
        for zammad, ours in self.priorities.items():
            if zammad.lower() == wanted:
                return ours
        return "NORMAL"

    def priority_for(self, priority: str) -> str | None:
        for zammad, ours in self.priorities.items():
            if ours == priority:
                return zammad
        return None  # Zammad's default priority

    def category_of(self, group: str) -> str:
        """The category of a ticket in `group` (Zammad keeps no category): OTHER for a group no category
        routes to, or one OTHER shares; of several categories sharing a group, the first in the portal's
        order."""
        wanted = group.strip().lower()
        routed = [c for c in TICKET_CATEGORIES if self.groups.get(c, "").lower() == wanted]
        if not routed or "OTHER" in routed:
            return "OTHER"
        return routed[0]

    def group_for(self, category: str) -> str:
        return self.groups.get(category) or self.groups.get("OTHER") or "Users"
