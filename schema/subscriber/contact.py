"""The subscriber's billing address as a structured value (the one-line `Subscriber.address` stays)."""

from __future__ import annotations

import strawberry

from adapters.ports.profile import PostalAddress as PostalAddressRecord


@strawberry.type(description="A postal address, as the CRM keeps it.")
class PostalAddress:
    lines: list[str] = strawberry.field(description="Street, number, apartment: one to three lines.")
    city: str = strawberry.field(description="The city or town.")
    region: str | None = strawberry.field(description="State, province or county; null where none is used.")
    postal_code: str = strawberry.field(description="The postal code; empty where the country has none.")
    country: str = strawberry.field(description="ISO 3166-1 alpha-2 country code, e.g. PT or US.")

    @classmethod
    def of(cls, r: PostalAddressRecord) -> PostalAddress:
        return cls(
            lines=list(r.lines), city=r.city, region=r.region, postal_code=r.postal_code, country=r.country
        )
