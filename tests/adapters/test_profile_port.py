"""The notification-kind → preference-kind table is total: a new notification kind cannot be added without
deciding which switch silences it."""

from __future__ import annotations

from adapters.ports.crm import NOTIFICATION_KINDS
from adapters.ports.profile import LOCKED, PREFERENCE_KINDS, PREFERENCE_OF


def test_every_notification_kind_has_a_preference_kind() -> None:
    assert set(PREFERENCE_OF) == set(NOTIFICATION_KINDS)
    assert set(PREFERENCE_OF.values()) <= set(PREFERENCE_KINDS)
    assert {("SECURITY", "EMAIL")} == LOCKED
