"""Zammad's JSON (tickets asked for with `expand=true`, articles, attachments) as the tickets port's records.

Pure functions: the adapter fetches, these translate. Anything the port needs that is missing or mistyped is a
ContractViolation; what Zammad may leave out (SLA times when no SLA applies) gets the configured defaults.
Internal articles (agents' notes) never become messages, nor do their attachments.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any, cast

from adapters.errors import ContractViolation
from adapters.ports.tickets import (
    ATTACHMENT_TYPES,
    ActorKind,
    Attachment,
    AttachmentType,
    MessageAuthor,
    Ticket,
    TicketCategory,
    TicketEvent,
    TicketMessage,
    TicketPriority,
    TicketRating,
    TicketStatus,
    TicketSummary,
)
from adapters.zammad.client import BACKEND
from adapters.zammad.config import ZammadConfig
from adapters.zammad.fields import integer, moment, required_moment, text
from adapters.zammad.ids import attachment_id, ticket_id
from adapters.zammad.sla import sla

RATING_TAG = "rating:"
_TAG = re.compile(r"<[^>]*>")
_BREAK = re.compile(r"<\s*(br|/p|/div|/li|/tr|/h[1-6])\b[^>]*>", re.IGNORECASE)
_DROP = re.compile(r"<\s*(script|style)\b.*?<\s*/\s*\1\s*>", re.IGNORECASE | re.DOTALL)
_NAME = re.compile(r"^\s*\"?([^\"<]*?)\"?\s*<[^>]*>\s*$")


def plain_text(body: str, content_type: str) -> str:
    """An article's body as the portal shows it: HTML (Zammad's e-mails and agent replies) reduced to text."""
    if "html" not in content_type.lower():
        return body
    cleaned = _DROP.sub("", body)
    cleaned = _BREAK.sub("\n", cleaned)
    cleaned = html.unescape(_TAG.sub("", cleaned))
    lines = [line.rstrip() for line in cleaned.replace("\r\n", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def rating(raw: Mapping[str, Any], tags: Sequence[str], config: ZammadConfig) -> TicketRating | None:
    """The customer's rating: a `rating:N` tag, or the configured ticket attribute (1..5)."""
    score: object = None
    if config.rating_store == "field":
        score = raw.get(config.rating_field)
    else:
        for tag in tags:
            if tag.startswith(RATING_TAG) and tag[len(RATING_TAG) :].isdigit():
                score = int(tag[len(RATING_TAG) :])
    if isinstance(score, str) and score.isdigit():
        score = int(score)
    if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
        return None
    return TicketRating(score=score, comment=None, rated_at=required_moment(raw, "updated_at"))


def summary(
    raw: Mapping[str, Any],
    subscriber_id: str,
    config: ZammadConfig,
    now: datetime,
    *,
    tags: Sequence[str] = (),
    message_count: int | None = None,
    attachment_count: int = 0,
) -> TicketSummary:
    """One expanded Zammad ticket as the portal's summary. Without `message_count`, Zammad's `article_count`
    (which counts internal notes too) stands in."""
    zammad_id = integer(raw, "id")
    created = required_moment(raw, "created_at")
    status = config.status_of(text(raw, "state"))
    group = text(raw, "group")
    subservice = raw.get(config.subservice_field) if config.subservice_field else None
    opened_by = raw.get(config.portal_user_field) if config.portal_user_field else None
    count = message_count if message_count is not None else raw.get("article_count")
    return TicketSummary(
        id=ticket_id(subscriber_id, zammad_id),
        number=text(raw, "number"),
        subject=text(raw, "title"),
        category=cast(TicketCategory, config.category_of(group)),
        priority=cast(TicketPriority, config.priority_of(text(raw, "priority"))),
        status=cast(TicketStatus, status),
        queue=group,
        subscriber_id=subscriber_id,
        subservice_id=subservice if isinstance(subservice, str) and subservice else None,
        opened_by_user_id=opened_by if isinstance(opened_by, str) and opened_by else None,
        created_at=created,
        updated_at=required_moment(raw, "updated_at"),
        sla=sla(raw, created, status, config, now),
        message_count=count if isinstance(count, int) and not isinstance(count, bool) else 0,
        attachment_count=attachment_count,
        rating=rating(raw, tags, config),
    )


def author_name(article: Mapping[str, Any], fallback: str) -> str:
    sent_by = article.get("from")
    if isinstance(sent_by, str) and sent_by.strip():
        named = _NAME.match(sent_by)
        name = named.group(1).strip() if named else sent_by.strip()
        if name:
            return name[:200]
    return fallback


def author_kind(article: Mapping[str, Any]) -> MessageAuthor:
    """Zammad's sender: "Customer" (id 2 in every Zammad) is the subscriber; agents and the system are
    support."""
    sender = article.get("sender")
    if isinstance(sender, str):
        return "CUSTOMER" if sender.lower() == "customer" else "SUPPORT"
    return "CUSTOMER" if article.get("sender_id") == 2 else "SUPPORT"


def visible(articles: Sequence[Any]) -> list[Mapping[str, Any]]:
    """The articles a customer may read: never an internal one, and in the order they were written."""
    shown = [a for a in articles if isinstance(a, dict) and a.get("internal") is False]
    return sorted(shown, key=lambda a: (str(a.get("created_at") or ""), a.get("id") or 0))


def attachments_of(article: Mapping[str, Any], ticket: str) -> list[Attachment]:
    """An article's files the portal can serve: types outside the portal's list (an e-mail's HTML part, a
    calendar invitation) are left out."""
    found: list[Attachment] = []
    article_id = integer(article, "id")
    created = moment(article.get("created_at"), "article created_at")
    raw_files = article.get("attachments") or []
    if not isinstance(raw_files, list):
        raise ContractViolation(BACKEND, "an article's attachments are not a list")
    for raw in raw_files:
        if not isinstance(raw, dict):
            raise ContractViolation(BACKEND, "an attachment is not an object")
        preferences = raw.get("preferences")
        if not isinstance(preferences, dict):
            preferences = {}
        mime = (
            str(preferences.get("Mime-Type") or preferences.get("Content-Type") or "").split(";")[0].strip()
        )
        if mime.lower() not in ATTACHMENT_TYPES:
            continue
        size = raw.get("size")
        size_bytes = int(size) if isinstance(size, str) and size.isdigit() else size
        if not isinstance(size_bytes, int) or isinstance(size_bytes, bool):
            raise ContractViolation(BACKEND, "an attachment without a size")
        filename = PurePosixPath(str(raw.get("filename") or "file").replace("\\", "/")).name or "file"
        found.append(
            Attachment(
                id=attachment_id(ticket, article_id, integer(raw, "id")),
                ticket_id=ticket,
                message_id=str(article_id),
                filename=filename[:255],
                content_type=cast(AttachmentType, mime.lower()),
                size_bytes=size_bytes,
                sha256="",  # Zammad does not publish its files' digests
                created_at=created or required_moment(article, "updated_at"),
            )
        )
    return found


def full_ticket(
    raw: Mapping[str, Any],
    articles: Sequence[Any],
    subscriber_id: str,
    config: ZammadConfig,
    now: datetime,
    tags: Sequence[str] = (),
) -> Ticket:
    """The ticket with the articles a customer may read, their files, and the history they tell."""
    shown = visible(articles)
    base = summary(raw, subscriber_id, config, now, tags=tags, message_count=len(shown))
    files: list[Attachment] = []
    messages: list[TicketMessage] = []
    events: list[TicketEvent] = []
    for index, article in enumerate(shown):
        kind = author_kind(article)
        own = attachments_of(article, base.id)
        files += own
        created = moment(article.get("created_at"), "article created_at") or base.created_at
        body = article.get("body")
        messages.append(
            TicketMessage(
                id=str(integer(article, "id")),
                author_kind=kind,
                author_name=author_name(article, "You" if kind == "CUSTOMER" else "Support"),
                body=plain_text(
                    body if isinstance(body, str) else "", str(article.get("content_type") or "")
                ),
                created_at=created,
                attachment_ids=tuple(a.id for a in own),
            )
        )
        actor: ActorKind = "CUSTOMER" if kind == "CUSTOMER" else "SUPPORT"
        events.append(
            TicketEvent(
                id=f"{base.id}:article:{article.get('id')}",
                kind="CREATED" if index == 0 else "REPLIED",
                actor_kind=actor,
                actor_name=messages[-1].author_name,
                detail=None if index == 0 else messages[-1].id,
                created_at=created,
            )
        )
    if base.rating is not None:
        events.append(
            TicketEvent(
                id=f"{base.id}:rated",
                kind="RATED",
                actor_kind="CUSTOMER",
                actor_name="You",
                detail=f"{base.rating.score}/5",
                created_at=base.rating.rated_at,
            )
        )
    fields = {f: getattr(base, f) for f in base.__struct_fields__}
    fields["attachment_count"] = len(files)
    return Ticket(**fields, messages=tuple(messages), attachments=tuple(files), events=tuple(events))
