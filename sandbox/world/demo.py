"""The demo's world: residential, enterprise and MDU subscribers with their plans, add-ons, invoices history,
wallets, installment plans, portal users and tickets. Prices are stated once, in major units; each system
rounds them to its currency's minor unit."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sandbox.world.model import (
    AddOnSeed,
    InstallmentSeed,
    Plan,
    PortalUserSeed,
    SubscriberSeed,
    SubServiceSeed,
    TicketSeed,
    WalletEntrySeed,
    World,
)

FIBER_300 = Plan("Fiber 300", 300, 50, Decimal("49.99"))
FIBER_100 = Plan("Fiber 100", 100, 20, Decimal("29.99"))
BUSINESS_500 = Plan("Business Fiber 500", 500, 500, Decimal("149.00"))
TV_BASIC = Plan("TV Basic", None, None, Decimal("19.99"))
VOIP_HOME = Plan("Home Voice (prepaid)", None, None, Decimal("9.99"))
VOIP_BUSINESS = Plan("Business Voice 10 lines", None, None, Decimal("59.00"))

ENTERPRISE_BRANCHES = ("Downtown", "Harbor Point", "Airport", "Riverside", "Hillcrest")


def _residential() -> tuple[list[SubscriberSeed], list[SubServiceSeed], list[PortalUserSeed]]:
    subs = [
        SubscriberSeed(
            id="SUB-1001",
            account_number="WG-100101",
            name="Ana Lima",
            kind="RESIDENTIAL",
            email="ana@lima.example",
            phone="+1 555 0101",
            address="12 Orchard Lane, Springfield",
            invoice_mode="CONSOLIDATED",
            open_due_in_days=5,
            installments=(InstallmentSeed("SS-1001-1", "Wi-Fi 6 router", Decimal("120.00"), 12, 4),),
            wallet=(WalletEntrySeed("PROMO", Decimal("5.00"), "Welcome credit", 60),),
        ),
        SubscriberSeed(
            id="SUB-1002",
            account_number="WG-100102",
            name="Ben Okafor",
            kind="RESIDENTIAL",
            email="ben@okafor.example",
            phone="+1 555 0102",
            address="4 Mill Road, Springfield",
            invoice_mode="CONSOLIDATED",
            overdue_by_days=12,
        ),
        SubscriberSeed(
            id="SUB-1003",
            account_number="WG-100103",
            name="Cara Jensen",
            kind="RESIDENTIAL",
            email="cara@jensen.example",
            phone="+1 555 0103",
            address="77 Quarry Street, Springfield",
            invoice_mode="CONSOLIDATED",
            open_due_in_days=9,
            wallet=(WalletEntrySeed("TOPUP", Decimal("20.00"), "Wallet top-up", 20),),
        ),
    ]
    services = [
        SubServiceSeed(
            "SS-1001-1",
            "SUB-1001",
            "INTERNET",
            "Internet – Home",
            "12 Orchard Lane",
            FIBER_300,
            add_ons=(AddOnSeed("Static IP", Decimal("5.00")),),
            device_models=("ONT HG8245", "Wi-Fi 6 Router AX3000"),
        ),
        SubServiceSeed(
            "SS-1001-2",
            "SUB-1001",
            "IPTV",
            "IPTV – Living room",
            "12 Orchard Lane",
            TV_BASIC,
            add_ons=(AddOnSeed("Sports Pack", Decimal("7.99")),),
            device_models=("Set-top Box STB-4K",),
        ),
        SubServiceSeed(
            "SS-1002-1",
            "SUB-1002",
            "INTERNET",
            "Internet – Home",
            "4 Mill Road",
            FIBER_100,
            status="SUSPENDED",
            status_reason="NON_PAYMENT",
            device_models=("ONT HG8245",),
        ),
        SubServiceSeed(
            "SS-1003-1",
            "SUB-1003",
            "INTERNET",
            "Internet – Home",
            "77 Quarry Street",
            FIBER_100,
            status="SUSPENDED",
            status_reason="ADMINISTRATIVE",
            device_models=("ONT HG8245",),
        ),
        SubServiceSeed(
            "SS-1003-2",
            "SUB-1003",
            "VOIP",
            "VoIP – Home",
            "77 Quarry Street",
            VOIP_HOME,
            prepaid_expires_in_days=10,
            device_models=("VoIP ATA 2-port",),
        ),
    ]
    users = [
        PortalUserSeed("USR-1", "ana@lima.example", "Ana Lima", "OWNER", "SUB-1001"),
        PortalUserSeed("USR-2", "ben@okafor.example", "Ben Okafor", "OWNER", "SUB-1002"),
        PortalUserSeed("USR-3", "cara@jensen.example", "Cara Jensen", "OWNER", "SUB-1003"),
    ]
    return subs, services, users


def _enterprise() -> tuple[list[SubscriberSeed], list[SubServiceSeed], list[PortalUserSeed]]:
    sub = SubscriberSeed(
        id="SUB-2001",
        account_number="WG-200201",
        name="Northwind Logistics",
        kind="ENTERPRISE",
        email="accounts@northwind.example",
        phone="+1 555 0200",
        address="1 Commerce Plaza, Springfield",
        invoice_mode="CONSOLIDATED",
        open_due_in_days=14,
        # Last month's invoice was paid twice over by bank transfer; the excess became wallet credit.
        wallet=(WalletEntrySeed("OVERPAYMENT", Decimal("250.00"), "Overpayment of invoice credited", 25),),
        installments=(InstallmentSeed("SS-2001-2", "IP phones (10)", Decimal("900.00"), 18, 6),),
    )
    services: list[SubServiceSeed] = []
    for i, branch in enumerate(ENTERPRISE_BRANCHES):
        n = 2 * i + 1
        services.append(
            SubServiceSeed(
                f"SS-2001-{n}",
                sub.id,
                "INTERNET",
                f"Internet – {branch} Branch",
                f"{branch} Branch",
                BUSINESS_500,
                add_ons=(AddOnSeed("Static IP block /29", Decimal("25.00")),),
                device_models=("Edge Router ER-8",),
            )
        )
        services.append(
            SubServiceSeed(
                f"SS-2001-{n + 1}",
                sub.id,
                "VOIP",
                f"VoIP – {branch} Branch",
                f"{branch} Branch",
                VOIP_BUSINESS,
                device_models=("SIP Gateway 8FXS",),
            )
        )
    users = [
        PortalUserSeed("USR-20", "it@northwind.example", "Dana Reyes", "OWNER", sub.id),
        PortalUserSeed("USR-21", "ops@northwind.example", "Omar Haddad", "MANAGER", sub.id),
        PortalUserSeed("USR-22", "finance@northwind.example", "Fiona Park", "FINANCE", sub.id),
        PortalUserSeed("USR-23", "auditor@northwind.example", "Victor Lind", "VIEWER", sub.id),
        PortalUserSeed(
            "USR-24",
            "airport@northwind.example",
            "Sam Ito",
            "SITE",
            sub.id,
            ("SS-2001-5", "SS-2001-6"),
        ),
    ]
    return [sub], services, users


def _mdu() -> tuple[list[SubscriberSeed], list[SubServiceSeed], list[PortalUserSeed]]:
    sub = SubscriberSeed(
        id="SUB-3001",
        account_number="WG-300301",
        name="Harbor View Apartments",
        kind="MDU",
        email="office@harborview.example",
        phone="+1 555 0300",
        address="200 Harbor View Drive, Springfield",
        invoice_mode="PER_SUBSERVICE",
        open_due_in_days=7,
    )
    services = []
    for floor in range(1, 5):
        for unit in range(1, 11):
            apt = floor * 100 + unit
            services.append(
                SubServiceSeed(
                    f"SS-3001-{apt}",
                    sub.id,
                    "INTERNET",
                    f"Internet – Apt {apt}",
                    f"Apt {apt}",
                    FIBER_100,
                    device_models=("ONT HG8245",),
                )
            )
    users = [
        PortalUserSeed("USR-30", "manager@harborview.example", "Maya Chen", "MANAGER", sub.id),
        PortalUserSeed(
            "USR-31",
            "apt101@harborview.example",
            "Leo Martins",
            "SITE",
            sub.id,
            ("SS-3001-101", "SS-3001-102"),
        ),
    ]
    return [sub], services, users


def _tickets() -> list[TicketSeed]:
    return [
        TicketSeed(
            "TCK-1",
            "SUB-1001",
            "SS-1001-2",
            "DEVICE",
            "NORMAL",
            "Set-top box reboots during live TV",
            "IN_PROGRESS",
            2,
            (
                ("CUSTOMER", "The box restarts every evening around 8pm."),
                ("SUPPORT", "Thanks Ana, we pushed a firmware update. Does it still happen?"),
            ),
        ),
        TicketSeed(
            "TCK-2",
            "SUB-1001",
            None,
            "BILLING",
            "LOW",
            "Question about my first invoice",
            "RESOLVED",
            40,
            (
                ("CUSTOMER", "Why is the first invoice pro-rated?"),
                ("SUPPORT", "The first month counts from your installation date."),
            ),
        ),
        TicketSeed(
            "TCK-3",
            "SUB-2001",
            "SS-2001-5",
            "CONNECTIVITY",
            "HIGH",
            "Airport branch packet loss",
            "OPEN",
            0,
            (("CUSTOMER", "We see 5% packet loss since this morning."),),
        ),
        TicketSeed(
            "TCK-4",
            "SUB-3001",
            "SS-3001-101",
            "CONNECTIVITY",
            "NORMAL",
            "Slow Wi-Fi in Apt 101",
            "WAITING_ON_CUSTOMER",
            3,
            (("CUSTOMER", "Speeds drop at night."), ("SUPPORT", "Could you run a wired speed test?")),
        ),
        TicketSeed(
            "TCK-5",
            "SUB-2001",
            None,
            "BILLING",
            "NORMAL",
            "Consolidated invoice PO number",
            "CLOSED",
            30,
            (("CUSTOMER", "Please add PO 4471 to invoices."), ("SUPPORT", "Done from next cycle.")),
        ),
    ]


def demo_world(today: date) -> World:
    subscribers: list[SubscriberSeed] = []
    subservices: list[SubServiceSeed] = []
    users: list[PortalUserSeed] = []
    for part in (_residential(), _enterprise(), _mdu()):
        subscribers += part[0]
        subservices += part[1]
        users += part[2]
    return World(today, tuple(subscribers), tuple(subservices), tuple(users), tuple(_tickets()))
