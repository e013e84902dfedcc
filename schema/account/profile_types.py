"""The viewer's own profile: their phone and their notification preferences (`Viewer.profile`)."""

from __future__ import annotations

from enum import Enum

import strawberry

from adapters.ports.profile import UserProfile


@strawberry.enum(
    description=(
        "What a notification is about, as users choose what reaches them. Every notification kind belongs to "
        "one: PAYMENTS (INVOICE_ISSUED, PAYMENT_RECEIVED, PAYMENT_FAILED, WALLET_CREDITED), OUTAGES "
        "(SERVICE_STATUS, GENERAL), TICKETS (TICKET_UPDATED), USAGE (usage-cap warnings), SECURITY."
    )
)
class NotificationPreferenceKind(Enum):
    PAYMENTS = strawberry.enum_value("PAYMENTS", description="Invoices, payments, wallet credits.")
    OUTAGES = strawberry.enum_value(
        "OUTAGES",
        description="A service down, suspended or restricted; incidents, planned work, the operator's notices.",
    )
    TICKETS = strawberry.enum_value("TICKETS", description="Replies and status changes of support tickets.")
    USAGE = strawberry.enum_value("USAGE", description="Data usage and usage caps.")
    SECURITY = strawberry.enum_value(
        "SECURITY",
        description=(
            "New sign-ins, changed passwords and contact e-mails. Its EMAIL channel cannot be switched off: "
            "it is how a takeover of the login is noticed (`setNotificationPreferences` refuses it with "
            "SECURITY_EMAIL_REQUIRED)."
        ),
    )


@strawberry.enum(description="Where a notification reaches a user.")
class NotificationChannel(Enum):
    PORTAL = strawberry.enum_value(
        "PORTAL", description="The portal's notification list and its live `notificationReceived`."
    )
    EMAIL = strawberry.enum_value(
        "EMAIL",
        description=(
            "E-mail: to the user's login address for what is addressed to them (their tickets), and for an "
            "OWNER also the account's contact address."
        ),
    )


@strawberry.type(description="One switch of the kind × channel grid.")
class NotificationPreference:
    kind: NotificationPreferenceKind = strawberry.field(description="What the notifications are about.")
    channel: NotificationChannel = strawberry.field(description="Where they arrive.")
    enabled: bool = strawberry.field(description="They arrive (the default for every switch).")
    locked: bool = strawberry.field(
        description="Cannot be switched off (SECURITY e-mail): show it on and disabled."
    )


@strawberry.type(description="What the viewer keeps about themselves beyond their login.")
class ViewerProfile:
    phone: str | None = strawberry.field(
        description="Their own phone in E.164 (+351912345678); null if none."
    )
    notification_preferences: list[NotificationPreference] = strawberry.field(
        description="Every kind × channel switch, kinds in the enum's order, PORTAL before EMAIL."
    )

    @classmethod
    def of(cls, r: UserProfile) -> ViewerProfile:
        return cls(
            phone=r.phone,
            notification_preferences=[
                NotificationPreference(
                    kind=NotificationPreferenceKind(p.kind),
                    channel=NotificationChannel(p.channel),
                    enabled=p.enabled,
                    locked=p.locked,
                )
                for p in r.notification_preferences
            ],
        )
