"""Billing's catalogue: the plans a sub-service of each kind may move to, and the add-ons it may buy.

Prices are stated once, in major units, and rounded to each account's currency (like the seed's). The
seeded plans are in it under their seeded names, so every seeded sub-service's plan is a catalogue entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class CataloguePlan:
    id: str
    kind: str  # INTERNET | IPTV | VOIP
    name: str
    monthly_price: Decimal
    down_mbps: int | None = None  # None for IPTV and VoIP
    up_mbps: int | None = None
    data_cap_gb: int | None = None  # None: unlimited


@dataclass(frozen=True)
class CatalogueAddOn:
    id: str
    kind: str  # the sub-service kind it is sold for
    category: str  # STATIC_IP | EXTRA_DATA | CHANNEL_PACK
    name: str
    price: Decimal  # a month's price (MONTHLY) or the one price (ONE_OFF)
    billing: str  # MONTHLY: billed every period from now on | ONE_OFF: paid once
    data_gb: int | None = None  # EXTRA_DATA only


PLANS: tuple[CataloguePlan, ...] = (
    CataloguePlan("fiber-50-lite", "INTERNET", "Fiber 50 Lite", Decimal("19.99"), 50, 10, 200),
    CataloguePlan("fiber-100", "INTERNET", "Fiber 100", Decimal("29.99"), 100, 20),
    CataloguePlan("fiber-300", "INTERNET", "Fiber 300", Decimal("49.99"), 300, 50),
    CataloguePlan("fiber-1000", "INTERNET", "Fiber 1000", Decimal("79.99"), 1000, 200),
    CataloguePlan("business-500", "INTERNET", "Business Fiber 500", Decimal("149.00"), 500, 500),
    CataloguePlan("business-1000", "INTERNET", "Business Fiber 1000", Decimal("249.00"), 1000, 1000),
    CataloguePlan("tv-basic", "IPTV", "TV Basic", Decimal("19.99")),
    CataloguePlan("tv-plus", "IPTV", "TV Plus", Decimal("29.99")),
    CataloguePlan("voice-home", "VOIP", "Home Voice (prepaid)", Decimal("9.99")),
    CataloguePlan("voice-business-10", "VOIP", "Business Voice 10 lines", Decimal("59.00")),
    CataloguePlan("voice-business-20", "VOIP", "Business Voice 20 lines", Decimal("99.00")),
)

ADD_ONS: tuple[CatalogueAddOn, ...] = (
    CatalogueAddOn("static-ip", "INTERNET", "STATIC_IP", "Static IP", Decimal("5.00"), "MONTHLY"),
    CatalogueAddOn(
        "extra-data-50", "INTERNET", "EXTRA_DATA", "Extra data 50 GB", Decimal("10.00"), "ONE_OFF", 50
    ),
    CatalogueAddOn(
        "data-topup-10", "INTERNET", "EXTRA_DATA", "Data top-up 10 GB", Decimal("3.00"), "ONE_OFF", 10
    ),
    CatalogueAddOn("sports-pack", "IPTV", "CHANNEL_PACK", "Sports Pack", Decimal("7.99"), "MONTHLY"),
    CatalogueAddOn("movies-pack", "IPTV", "CHANNEL_PACK", "Movies Pack", Decimal("9.99"), "MONTHLY"),
)

PLANS_BY_ID = {p.id: p for p in PLANS}
PLANS_BY_NAME = {p.name: p for p in PLANS}
ADD_ONS_BY_ID = {a.id: a for a in ADD_ONS}
