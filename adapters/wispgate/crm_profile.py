"""The CRM calls about contact details and a user's profile, mixed into `HttpCrm` (kept apart so `crm.py`
stays about one idea per screen)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from adapters.ports.crm import Accepted, PortalUser, Subscriber
from adapters.ports.profile import ContactChange, NotificationPreference, UserProfile
from adapters.wispgate.client import CoreClient


def _seg(value: str) -> str:
    return quote(value, safe="")


class ProfileCalls:
    client: CoreClient

    async def update_contact_details(
        self,
        subscriber_id: str,
        changed_by: str,
        change: ContactChange,
        *,
        ip: str | None = None,
        user_agent: str | None = None,
    ) -> Subscriber:
        address = change.billing_address
        body: dict[str, Any] = {
            "changed_by": changed_by,
            "email": change.email,
            "phone": change.phone,
            "billing_address": None
            if address is None
            else {
                "lines": list(address.lines),
                "city": address.city,
                "region": address.region,
                "postal_code": address.postal_code,
                "country": address.country,
            },
            "ip": ip or None,
            "user_agent": user_agent or None,
        }
        path = f"/v1/subscribers/{_seg(subscriber_id)}/contact"
        return await self.client.call("POST", path, Subscriber, json_body=body)

    async def user_profile(self, user_id: str) -> UserProfile:
        return await self.client.call("GET", f"/v1/users/{_seg(user_id)}/profile", UserProfile)

    async def set_user_phone(
        self, user_id: str, phone: str | None, *, ip: str | None = None, user_agent: str | None = None
    ) -> UserProfile:
        body = {"phone": phone, "ip": ip or None, "user_agent": user_agent or None}
        return await self.client.call("POST", f"/v1/users/{_seg(user_id)}/phone", UserProfile, json_body=body)

    async def set_notification_preferences(
        self,
        user_id: str,
        changes: Sequence[NotificationPreference],
        *,
        ip: str | None = None,
        user_agent: str | None = None,
    ) -> UserProfile:
        body = {
            "preferences": [{"kind": c.kind, "channel": c.channel, "enabled": c.enabled} for c in changes],
            "ip": ip or None,
            "user_agent": user_agent or None,
        }
        path = f"/v1/users/{_seg(user_id)}/notification-preferences"
        return await self.client.call("POST", path, UserProfile, json_body=body)

    async def request_login_email_change(
        self, user_id: str, current_password: str, new_email: str, link: str
    ) -> None:
        body = {"current_password": current_password, "new_email": new_email, "link": link}
        path = f"/v1/users/{_seg(user_id)}/email-change"
        await self.client.call("POST", path, Accepted, json_body=body)

    async def complete_login_email_change(self, token: str) -> PortalUser:
        path = "/v1/auth/email-change/complete"
        return await self.client.call("POST", path, PortalUser, json_body={"token": token})
