"""Which Zammad customer a subscriber is: found by the subscriber's contact e-mail (from the CRM) or by a custom
user attribute holding the subscriber id (`ZammadConfig.customer_match`), through `GET /api/v1/users/search`.

Found customers are remembered (a bounded map, both ways): the link between a subscriber and its Zammad user
does not change under the portal. The way back (customer → subscriber) is what a webhook needs: in field mode
the customer's own attribute says it; in e-mail mode only a subscriber looked up before is known — by this
process, or by any instance when `learned` shares what each one finds (`bff.core.zammad_hooks`).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol, TypeVar

from adapters.errors import ContractViolation, Rejected
from adapters.ports.crm import Subscriber
from adapters.zammad.client import BACKEND, ZammadClient
from adapters.zammad.config import ZammadConfig

REMEMBERED = 10_000
K = TypeVar("K")
V = TypeVar("V")


def _put(table: OrderedDict[K, V], key: K, value: V) -> None:
    table[key] = value
    table.move_to_end(key)
    while len(table) > REMEMBERED:
        table.popitem(last=False)


class SubscriberDirectory(Protocol):
    """Where the subscriber's name and contact e-mail come from (the CRM port)."""

    async def subscriber(self, subscriber_id: str) -> Subscriber: ...


def quoted(value: str) -> str:
    """A value as one term of Zammad's (Elasticsearch) query syntax: quoted, its quotes and backslashes
    escaped, so a subscriber's data cannot widen the search."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


Learned = Callable[[str, int], Awaitable[None]]


class Customers:
    def __init__(
        self,
        client: ZammadClient,
        config: ZammadConfig,
        directory: SubscriberDirectory,
        learned: Learned | None = None,
    ) -> None:
        self.client = client
        self.config = config
        self.directory = directory
        # Told of each subscriber → customer link this process finds (it must not raise).
        self.learned = learned
        self._ids: OrderedDict[str, int] = OrderedDict()  # subscriber → customer
        self._subscribers: OrderedDict[int, str] = OrderedDict()  # customer → subscriber

    async def learn(self, subscriber_id: str, customer_id: int) -> None:
        known = self._ids.get(subscriber_id) == customer_id
        _put(self._ids, subscriber_id, customer_id)
        _put(self._subscribers, customer_id, subscriber_id)
        if not known and self.learned is not None:
            await self.learned(subscriber_id, customer_id)

    async def customer_of(self, subscriber_id: str) -> int | None:
        """The Zammad user id of the subscriber, or None when Zammad has none (yet)."""
        known = self._ids.get(subscriber_id)
        if known is not None:
            return known
        if self.config.customer_match == "field":
            query = f"{self.config.customer_field}:{quoted(subscriber_id)}"
            wanted = subscriber_id
        else:
            wanted = (await self.directory.subscriber(subscriber_id)).email.strip().lower()
            if not wanted:
                return None
            query = f"email:{quoted(wanted)}"
        found = await self.client.get("/users/search", {"query": query, "limit": 10})
        if not isinstance(found, list):
            raise ContractViolation(BACKEND, "users/search did not answer a list")
        matches = {int(user["id"]) for user in found if self._is(user, wanted)}
        if len(matches) > 1:
            # Two Zammad users for one subscriber: which tickets are whose cannot be told apart safely.
            raise Rejected(BACKEND, "CUSTOMER_AMBIGUOUS", "several Zammad users match this subscriber")
        if not matches:
            return None
        customer_id = matches.pop()
        await self.learn(subscriber_id, customer_id)
        return customer_id

    def _is(self, user: Any, wanted: str) -> bool:
        """The search is a full-text one: only an exact match on the field counts."""
        if not isinstance(user, dict) or not isinstance(user.get("id"), int):
            return False
        if self.config.customer_match == "field":
            return str(user.get(self.config.customer_field) or "") == wanted
        return str(user.get("email") or "").strip().lower() == wanted

    async def create(self, subscriber_id: str) -> int:
        """A new Zammad customer for the subscriber (field mode: carrying the subscriber id)."""
        subscriber = await self.directory.subscriber(subscriber_id)
        first, _, last = subscriber.name.partition(" ")
        body: dict[str, Any] = {
            "firstname": first or subscriber.name,
            "lastname": last,
            "email": subscriber.email,
            "roles": ["Customer"],
        }
        if self.config.customer_match == "field":
            body[self.config.customer_field] = subscriber_id
        created = await self.client.write("POST", "/users", body)
        if not isinstance(created, dict) or not isinstance(created.get("id"), int):
            raise ContractViolation(BACKEND, "POST /users did not answer a user")
        await self.learn(subscriber_id, int(created["id"]))
        return int(created["id"])

    async def reference_for_new_ticket(self, subscriber_id: str) -> tuple[int | str, bool]:
        """What `customer_id` a new ticket names, and whether it is a known user: in e-mail mode an unknown
        customer is `guess:<e-mail>` (Zammad finds or creates the user itself); in field mode one is created."""
        known = await self.customer_of(subscriber_id)
        if known is not None:
            return known, True
        if self.config.customer_match == "field":
            return await self.create(subscriber_id), True
        email = (await self.directory.subscriber(subscriber_id)).email.strip()
        if not email:
            raise Rejected(BACKEND, "UNKNOWN_SUBSCRIBER", "the subscriber has no contact e-mail for Zammad")
        return f"guess:{email}", False

    def subscriber_of(self, customer: Mapping[str, Any]) -> str | None:
        """The subscriber a Zammad customer (a webhook's `ticket.customer`) is, if it can be told."""
        if self.config.customer_match == "field":
            value = customer.get(self.config.customer_field)
            return value if isinstance(value, str) and value else None
        customer_id = customer.get("id")
        return self._subscribers.get(customer_id) if isinstance(customer_id, int) else None
