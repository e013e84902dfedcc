"""A document behind a short-lived signed link (`bff.core.files`), as the graph hands it out."""

from __future__ import annotations

from datetime import datetime

import strawberry

from bff.core.files import SignedLink


@strawberry.type(description="A document behind a short-lived signed link.")
class Document:
    url: str = strawberry.field(description="The signed link: it works without a session, until `expiresAt`.")
    filename: str = strawberry.field(description="The file's name when downloaded.")
    expires_at: datetime = strawberry.field(
        description="When the link stops working: ask for a new one after that."
    )

    @classmethod
    def of(cls, link: SignedLink) -> Document:
        return cls(url=link.url, filename=link.filename, expires_at=link.expires_at)
