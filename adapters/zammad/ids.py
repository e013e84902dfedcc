"""The portal's ids of Zammad's tickets and files.

A ticket is `<subscriber id>:<Zammad id>`: reading it back checks that the ticket's customer is that
subscriber's (`adapters.zammad.tickets`), so an id naming another subscriber's ticket reads as missing, and no
lookup from a Zammad customer back to a subscriber is needed to read. A file is `<ticket>:<article>:<file>`,
what Zammad's download path needs.
"""

from __future__ import annotations

MAX_DIGITS = 18  # Zammad's ids are bigints


def ticket_id(subscriber_id: str, zammad_id: int) -> str:
    """The portal's id of a Zammad ticket: the subscriber it belongs to and Zammad's id. Reading it back checks
    that the ticket's customer is that subscriber's (`ZammadTickets`), so an id naming another subscriber's
    ticket reads as missing — and no lookup from a Zammad customer back to a subscriber is needed to read."""
    return f"{subscriber_id}:{zammad_id}"


def split_ticket_id(value: str) -> tuple[str, int] | None:
    subscriber_id, sep, number = value.rpartition(":")
    if not sep or not subscriber_id or not number.isdigit() or len(number) > MAX_DIGITS:
        return None
    return subscriber_id, int(number)


def attachment_id(ticket: str, article_id: int, file_id: int) -> str:
    return f"{ticket}:{article_id}:{file_id}"


def split_attachment_id(value: str) -> tuple[str, int, int] | None:
    """(the portal's ticket id, Zammad's article id, Zammad's attachment id)."""
    head, _, file_part = value.rpartition(":")
    ticket, _, article_part = head.rpartition(":")
    if not (file_part.isdigit() and article_part.isdigit()) or split_ticket_id(ticket) is None:
        return None
    if len(file_part) > MAX_DIGITS or len(article_part) > MAX_DIGITS:
        return None
    return ticket, int(article_part), int(file_part)
