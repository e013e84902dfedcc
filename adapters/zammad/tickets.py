"""`ZammadTickets`: the tickets port over Zammad's REST API.

- Reads use the agent's token and filter themselves: a ticket is the subscriber's only when its customer is
  the subscriber's Zammad user (`adapters.zammad.customers`), internal articles are never messages.
- A customer's own writes (a new ticket, a reply, a file) are made on the customer's behalf (`X-On-Behalf-Of`),
  so Zammad records the customer as their author; state changes are the agent's (Zammad lets customers do
  little with states).
- Zammad attaches files to articles, never to a ticket: a file added after the message goes as an article of
  its own ("Attached: name") carrying it.
- Zammad has no customer rating: it is kept as a `rating:N` tag, or in a custom ticket attribute.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from adapters.errors import ContractViolation, NotFound, Rejected
from adapters.ports.tickets import (
    ATTACHMENT_TYPES,
    MAX_ATTACHMENT_BYTES,
    TICKET_CATEGORIES,
    Attachment,
    NewTicket,
    Ticket,
    TicketCategoryInfo,
    TicketPage,
    TicketsPort,
)
from adapters.zammad import records
from adapters.zammad.client import BACKEND, ZammadClient
from adapters.zammad.config import ZammadConfig
from adapters.zammad.customers import Customers, SubscriberDirectory, quoted
from adapters.zammad.ids import split_attachment_id, split_ticket_id, ticket_id
from adapters.zammad.sla import DONE

PAGE_MAX = 100  # Zammad's search answers at most this many per page
MAX_PAGES = 20  # 2,000 tickets of one subscriber: far beyond a real one, a guard against a looping cursor
LABELS = {
    "CONNECTIVITY": "Internet or Wi-Fi not working",
    "BILLING": "Billing and payments",
    "DEVICE": "Router, set-top box or other device",
    "INSTALLATION": "Installation, move or new service",
    "OTHER": "Something else",
}


class ZammadTickets:
    def __init__(
        self,
        client: ZammadClient,
        config: ZammadConfig,
        directory: SubscriberDirectory,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.client = client
        self.config = config
        self.customers = Customers(client, config, directory)
        self.clock = clock

    # -- reading ---------------------------------------------------------------------------------------------
    async def _raw_ticket(self, zammad_id: int) -> dict[str, Any]:
        found = await self.client.get(f"/tickets/{zammad_id}", {"expand": "true"})
        if not isinstance(found, dict):
            raise ContractViolation(BACKEND, "a ticket is not an object")
        return found

    async def _articles(self, zammad_id: int) -> list[Any]:
        found = await self.client.get(f"/ticket_articles/by_ticket/{zammad_id}", {"expand": "true"})
        if not isinstance(found, list):
            raise ContractViolation(BACKEND, "a ticket's articles are not a list")
        return found

    async def _tags(self, zammad_id: int) -> list[str]:
        if self.config.rating_store != "tag":
            return []
        found = await self.client.get("/tags", {"object": "Ticket", "o_id": zammad_id})
        tags = found.get("tags") if isinstance(found, dict) else None
        if not isinstance(tags, list):
            raise ContractViolation(BACKEND, "tags are not a list")
        return [t for t in tags if isinstance(t, str)]

    async def _owned(self, ticket_id: str) -> tuple[str, int, dict[str, Any]] | None:
        """(subscriber, Zammad id, the ticket) when the id names a ticket of that subscriber's customer."""
        parts = split_ticket_id(ticket_id)
        if parts is None:
            return None
        subscriber_id, zammad_id = parts
        try:
            # An id naming a subscriber the CRM does not know is as missing as one Zammad does not.
            customer_id = await self.customers.customer_of(subscriber_id)
            if customer_id is None:
                return None
            raw = await self._raw_ticket(zammad_id)
        except NotFound:
            return None
        return (subscriber_id, zammad_id, raw) if raw.get("customer_id") == customer_id else None

    async def _full(self, ticket_id: str) -> Ticket | None:
        owned = await self._owned(ticket_id)
        if owned is None:
            return None
        subscriber_id, zammad_id, raw = owned
        articles, tags = await asyncio.gather(self._articles(zammad_id), self._tags(zammad_id))
        return records.full_ticket(raw, articles, subscriber_id, self.config, self.clock(), tags)

    async def _must(self, ticket_id: str) -> tuple[str, int, Ticket]:
        ticket = await self._full(ticket_id)
        if ticket is None:
            raise NotFound(BACKEND, "ticket not found")
        subscriber_id, zammad_id = split_ticket_id(ticket_id) or ("", 0)
        return subscriber_id, zammad_id, ticket

    async def tickets_of(
        self, subscriber_id: str, statuses: Sequence[str] = (), limit: int = 50, after: str | None = None
    ) -> TicketPage:
        customer_id = await self.customers.customer_of(subscriber_id)
        if customer_id is None:
            return TicketPage(items=[], next_cursor=None, total_count=0)
        page = int(after) if after is not None and after.isdigit() and 0 < int(after) <= MAX_PAGES else 1
        per_page = min(max(limit, 1), PAGE_MAX)
        query = f"customer_id:{customer_id}"
        states = sorted({n for n, s in self.config.states.items() if s in statuses})
        if statuses:
            if not states:
                return TicketPage(items=[], next_cursor=None, total_count=0)
            query += " AND state.name:(" + " OR ".join(quoted(s) for s in states) + ")"
        found = await self.client.get(
            "/tickets/search",
            {
                "query": query,
                "expand": "true",
                "limit": per_page,
                "page": page,
                "sort_by": "created_at",
                "order_by": "desc",
            },
        )
        raws = [r for r in _search_results(found) if r.get("customer_id") == customer_id]
        now = self.clock()
        tags = await asyncio.gather(*(self._rating_tags(r) for r in raws))
        items = [
            records.summary(r, subscriber_id, self.config, now, tags=t)
            for r, t in zip(raws, tags, strict=True)
        ]
        if statuses:  # a state renamed in Zammad but not in the mapping: the search found it, the map did not
            items = [i for i in items if i.status in statuses]
        more = len(_search_results(found)) >= per_page and page < MAX_PAGES
        return TicketPage(
            items=items,
            next_cursor=str(page + 1) if more else None,
            # Zammad's search gives no total: what is known so far (a lower bound while there are more).
            total_count=(page - 1) * per_page + len(items),
        )

    async def _rating_tags(self, raw: Mapping[str, Any]) -> list[str]:
        """Tags only where a rating can be: a resolved or closed ticket (one call each)."""
        state = raw.get("state")
        if self.config.rating_store != "tag" or not isinstance(state, str):
            return []
        if self.config.status_of(state) not in DONE:
            return []
        zammad_id = raw.get("id")
        return await self._tags(zammad_id) if isinstance(zammad_id, int) else []

    async def tickets(self, ids: Sequence[str]) -> dict[str, Ticket]:
        wanted = list(dict.fromkeys(ids))
        found = await asyncio.gather(*(self._full(i) for i in wanted))
        return {i: t for i, t in zip(wanted, found, strict=True) if t is not None}

    async def ticket(self, ticket_id: str) -> Ticket:
        return (await self._must(ticket_id))[2]

    async def ticket_categories(self) -> list[TicketCategoryInfo]:
        groups = await self.client.get("/groups")
        if not isinstance(groups, list):
            raise ContractViolation(BACKEND, "groups are not a list")
        active = {
            str(g.get("name")).lower() for g in groups if isinstance(g, dict) and g.get("active") is True
        }
        return [
            TicketCategoryInfo(
                category=category,
                label=LABELS[category],
                queue=self.config.group_for(category),
                default_priority="NORMAL",
                first_response_minutes=self.config.first_response_minutes,
                resolution_minutes=self.config.resolution_minutes,
            )
            for category in TICKET_CATEGORIES
            if self.config.group_for(category).lower() in active
        ]

    # -- writing ---------------------------------------------------------------------------------------------
    def _article(self, zammad_id: int | None, body: str, **extra: Any) -> dict[str, Any]:
        article: dict[str, Any] = {
            "body": body,
            "content_type": "text/plain",
            "type": "web",
            "internal": False,
            "sender": "Customer",
            **extra,
        }
        if zammad_id is not None:
            article["ticket_id"] = zammad_id
        return article

    async def _post_article(
        self, subscriber_id: str, zammad_id: int, body: str, *, carries_file: bool = False, **extra: Any
    ) -> Any:
        customer_id = await self.customers.customer_of(subscriber_id)
        return await self.client.write(
            "POST",
            "/ticket_articles",
            self._article(zammad_id, body, **extra),
            on_behalf_of=str(customer_id) if customer_id is not None else None,
            carries_file=carries_file,
        )

    async def _set_state(self, zammad_id: int, status: str, **fields: Any) -> None:
        await self.client.write(
            "PUT", f"/tickets/{zammad_id}", {"state": self.config.state_for(status), **fields}
        )

    async def open_ticket(self, ticket: NewTicket) -> Ticket:
        customer, known = await self.customers.reference_for_new_ticket(ticket.subscriber_id)
        body: dict[str, Any] = {
            "title": ticket.subject,
            "group": self.config.group_for(ticket.category),
            "customer_id": customer,
            "article": self._article(None, ticket.body, subject=ticket.subject),
        }
        priority = self.config.priority_for(ticket.priority) if ticket.priority else None
        if priority is not None:
            body["priority"] = priority
        if self.config.subservice_field and ticket.subservice_id:
            body[self.config.subservice_field] = ticket.subservice_id
        if self.config.portal_user_field:
            body[self.config.portal_user_field] = ticket.author_user_id
        created = await self.client.write(
            "POST", "/tickets", body, on_behalf_of=str(customer) if known else None
        )
        if not isinstance(created, dict) or not isinstance(created.get("id"), int):
            raise ContractViolation(BACKEND, "POST /tickets did not answer a ticket")
        if isinstance(created.get("customer_id"), int):
            await self.customers.learn(ticket.subscriber_id, created["customer_id"])
        return await self.ticket(ticket_id(ticket.subscriber_id, created["id"]))

    async def reply_to_ticket(self, ticket_id: str, author_user_id: str, body: str) -> Ticket:
        subscriber_id, zammad_id, current = await self._must(ticket_id)
        if current.status == "CLOSED":
            raise Rejected(BACKEND, "TICKET_CLOSED", "the ticket is closed")
        await self._post_article(subscriber_id, zammad_id, body)
        if current.status == "RESOLVED":  # the customer answered a solved ticket: it is open again
            await self._set_state(zammad_id, "IN_PROGRESS")
        return await self.ticket(ticket_id)

    async def close_ticket(self, ticket_id: str, user_id: str) -> Ticket:
        _, zammad_id, current = await self._must(ticket_id)
        if current.status != "CLOSED":
            await self._set_state(zammad_id, "CLOSED")
        return await self.ticket(ticket_id)

    async def reopen_ticket(self, ticket_id: str, user_id: str, reason: str | None = None) -> Ticket:
        subscriber_id, zammad_id, current = await self._must(ticket_id)
        if current.status not in DONE:
            raise Rejected(BACKEND, "TICKET_NOT_RESOLVED", "only a resolved or closed ticket can be reopened")
        await self._set_state(zammad_id, "IN_PROGRESS")
        if reason:
            await self._post_article(subscriber_id, zammad_id, f"Reopened: {reason}")
        return await self.ticket(ticket_id)

    async def rate_ticket(self, ticket_id: str, user_id: str, score: int, comment: str | None) -> Ticket:
        subscriber_id, zammad_id, current = await self._must(ticket_id)
        if current.status not in DONE:
            raise Rejected(BACKEND, "TICKET_NOT_RESOLVED", "a ticket can be rated once it is resolved")
        if current.rating is not None:
            raise Rejected(BACKEND, "ALREADY_RATED", "the ticket is rated already")
        if not 1 <= score <= 5:
            raise Rejected(BACKEND, "RATING_INVALID", "a rating is 1 to 5")
        if self.config.rating_store == "field":
            await self.client.write("PUT", f"/tickets/{zammad_id}", {self.config.rating_field: score})
        else:
            item = f"{records.RATING_TAG}{score}"
            await self.client.write(
                "POST", "/tags/add", {"object": "Ticket", "o_id": zammad_id, "item": item}
            )
        if comment:
            await self._post_article(subscriber_id, zammad_id, f"Rating {score}/5: {comment}")
        return await self.ticket(ticket_id)

    # -- attachments -----------------------------------------------------------------------------------------
    async def add_attachment(
        self, ticket_id: str, filename: str, content_type: str, data: bytes, message_id: str | None = None
    ) -> Attachment:
        if content_type not in ATTACHMENT_TYPES:
            raise Rejected(BACKEND, "ATTACHMENT_TYPE_NOT_ALLOWED", f"{content_type} files are not accepted")
        if len(data) > MAX_ATTACHMENT_BYTES:
            raise Rejected(BACKEND, "ATTACHMENT_TOO_LARGE", "the file is too large")
        subscriber_id, zammad_id, current = await self._must(ticket_id)
        if current.status == "CLOSED":
            raise Rejected(BACKEND, "TICKET_CLOSED", "the ticket is closed")
        upload = {"filename": filename, "data": base64.b64encode(data).decode(), "mime-type": content_type}
        article = await self._post_article(
            subscriber_id, zammad_id, f"Attached: {filename}", carries_file=True, attachments=[upload]
        )
        if not isinstance(article, dict):
            raise ContractViolation(BACKEND, "POST /ticket_articles did not answer an article")
        files = records.attachments_of(article, ticket_id)
        if len(files) != 1:
            raise ContractViolation(BACKEND, "the new article does not carry the file")
        return files[0]

    async def attachments(self, ids: Sequence[str]) -> dict[str, Attachment]:
        by_ticket: dict[str, list[str]] = {}
        for attachment_id in dict.fromkeys(ids):
            parts = split_attachment_id(attachment_id)
            if parts is not None:
                by_ticket.setdefault(parts[0], []).append(attachment_id)
        found = await self.tickets(list(by_ticket))
        files = {a.id: a for t in found.values() for a in t.attachments}
        return {i: files[i] for wanted in by_ticket.values() for i in wanted if i in files}

    async def attachment(self, attachment_id: str) -> tuple[Attachment, bytes]:
        """Only a file of an article the customer may read (never an internal note's), whole."""
        parts = split_attachment_id(attachment_id)
        meta = (await self.attachments([attachment_id])).get(attachment_id)
        if parts is None or meta is None:
            raise NotFound(BACKEND, "attachment not found")
        _, article_id, file_id = parts
        zammad_id = (split_ticket_id(meta.ticket_id) or ("", 0))[1]
        data = await self.client.get_bytes(f"/ticket_attachment/{zammad_id}/{article_id}/{file_id}")
        if len(data) != meta.size_bytes:
            raise ContractViolation(BACKEND, "attachment size differs from its metadata")
        return meta, data


def _search_results(found: Any) -> list[dict[str, Any]]:
    """Expanded tickets from a search: Zammad answers a list with `expand=true`; the `{tickets, assets}` form
    (without it) is read too."""
    if isinstance(found, list):
        return [t for t in found if isinstance(t, dict)]
    if isinstance(found, dict) and isinstance(found.get("tickets"), list):
        assets = found.get("assets", {}).get("Ticket", {}) if isinstance(found.get("assets"), dict) else {}
        return [assets[str(i)] for i in found["tickets"] if isinstance(assets.get(str(i)), dict)]
    raise ContractViolation(BACKEND, "a ticket search answered neither a list nor tickets with assets")


if TYPE_CHECKING:
    # mypy checks here that ZammadTickets implements the port.
    _PORT: type[TicketsPort] = ZammadTickets
