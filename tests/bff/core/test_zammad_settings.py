"""TICKETS_BACKEND=zammad and its mapping settings: read from the environment, refused with a reason."""

from __future__ import annotations

import pytest

from bff.core.settings import SettingsError, load_settings

ZAMMAD = {"TICKETS_BACKEND": "zammad", "ZAMMAD_URL": "https://support.example.net/", "ZAMMAD_TOKEN": "tok"}


def test_tickets_stay_in_the_crm_unless_zammad_is_chosen() -> None:
    assert load_settings({}).tickets.backend == "wispgate"
    assert load_settings({}).tickets.zammad is None


def test_zammad_settings_are_read() -> None:
    settings = load_settings(
        {
            **ZAMMAD,
            "ZAMMAD_WEBHOOK_SECRET": "w" * 32,
            "ZAMMAD_CUSTOMER_MATCH": "field",
            "ZAMMAD_CUSTOMER_FIELD": "wispgate_subscriber_id",
            "ZAMMAD_STATES": "neu=OPEN, in arbeit=in_progress, gelöst=RESOLVED, geschlossen=CLOSED",
            "ZAMMAD_GROUPS": "CONNECTIVITY=Netz, billing=Buchhaltung",
            "ZAMMAD_PRIORITIES": "1 niedrig=LOW,2 normal=NORMAL,3 hoch=HIGH,4 dringend=URGENT",
            "ZAMMAD_RATING": "field:portal_rating",
            "ZAMMAD_DEADLINE_S": "4",
        }
    )
    zammad = settings.tickets.zammad
    assert zammad is not None and settings.tickets.backend == "zammad"
    assert (zammad.url, zammad.token, zammad.customer_match) == (
        "https://support.example.net",
        "tok",
        "field",
    )
    assert zammad.status_of("Gelöst") == "RESOLVED" and zammad.state_for("IN_PROGRESS") == "in arbeit"
    assert (zammad.group_for("BILLING"), zammad.group_for("DEVICE")) == ("Buchhaltung", "Users")
    assert zammad.priority_for("URGENT") == "4 dringend"
    assert (zammad.rating_store, zammad.rating_field) == ("field", "portal_rating")
    assert settings.tickets.resilience.deadline_s == 4.0
    assert "tok" not in repr(zammad) and "w" * 32 not in repr(settings)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"TICKETS_BACKEND": "freshdesk"}, "TICKETS_BACKEND"),
        ({**ZAMMAD, "ZAMMAD_URL": "support.example.net"}, "ZAMMAD_URL"),
        ({**ZAMMAD, "ZAMMAD_TOKEN": ""}, "ZAMMAD_TOKEN"),
        ({**ZAMMAD, "ZAMMAD_CUSTOMER_MATCH": "field"}, "ZAMMAD_CUSTOMER_FIELD"),
        ({**ZAMMAD, "ZAMMAD_CUSTOMER_MATCH": "field", "ZAMMAD_CUSTOMER_FIELD": "x OR 1:1"}, "attribute name"),
        ({**ZAMMAD, "ZAMMAD_STATES": "new=OPEN,open=IN_PROGRESS"}, "CLOSED"),
        ({**ZAMMAD, "ZAMMAD_STATES": "closed=DONE"}, "ZAMMAD_STATES"),
        ({**ZAMMAD, "ZAMMAD_GROUPS": "SALES=Sales"}, "ZAMMAD_GROUPS"),
        ({**ZAMMAD, "ZAMMAD_RATING": "stars"}, "ZAMMAD_RATING"),
        ({**ZAMMAD, "ZAMMAD_WEBHOOK_SECRET": "short"}, "ZAMMAD_WEBHOOK_SECRET"),
    ],
)
def test_bad_zammad_settings_are_explained(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        load_settings(env)
