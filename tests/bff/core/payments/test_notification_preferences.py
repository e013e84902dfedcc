"""The notify path honours notification preferences: a payment settles end to end (gateway webhook →
Billing → CRM notice) for an owner who switched PAYMENTS e-mail off — the portal notice appears, no e-mail
reaches the SMTP sink — while a SECURITY e-mail (a new sign-in) still does, and cannot be switched off."""

from __future__ import annotations

import asyncio

import pytest

from sandbox.common.http import ApiError
from sandbox.crm.service.mail_outbox import MailRelay
from sandbox.crm.service.mailer import Mailer, smtp_settings
from sandbox.mailsink import MailSink
from tests.bff.core.payments.test_webhook import pay_invoice
from tests.harness.money import Money


async def test_payment_email_off_sends_no_mail_but_the_portal_notice_and_security_mail_still_come(
    money: Money,
) -> None:
    crm = money.sandbox.crm.service
    crm.profile.set_preferences("USR-2", [("PAYMENTS", "EMAIL", False)])  # Ben, SUB-1002's OWNER
    with pytest.raises(ApiError) as locked:
        crm.profile.set_preferences("USR-2", [("SECURITY", "EMAIL", False)])
    assert locked.value.code == "SECURITY_EMAIL_REQUIRED"

    app = await money.instance()
    invoice_id = await money.invoice_of("SUB-1002", "OVERDUE")
    await pay_invoice(money, "SUB-1002", invoice_id)
    assert all(s == 200 for s in await money.deliver_all(app))
    assert money.invoice_status(invoice_id) == "PAID"

    # The portal notice is there, in Ben's own list too.
    assert money.notifications("SUB-1002", "PAYMENT_RECEIVED") == 1
    listed = crm.notices.list_for("SUB-1002", "USR-2", unread_only=False, limit=5, after=None)
    assert "PAYMENT_RECEIVED" in [n["kind"] for n in listed["items"]]

    # A new-device sign-in alert: SECURITY, always e-mailed.
    crm.sign_in_alerts.seen("USR-2", "firefox|198.51.100.1", "Firefox on Linux", "198.51.100.1")
    crm.sign_in_alerts.seen("USR-2", "chrome|203.0.113.5", "Chrome on Android", "203.0.113.5")

    sink = MailSink().start()
    try:
        relay = MailRelay(money.sandbox.crm.db, Mailer(smtp_settings(sink.url)))
        while await asyncio.to_thread(relay.deliver_pending):
            pass
        subjects = [m["subject"] for m in sink.messages() if m["rcpt_to"] == ["ben@okafor.example"]]
    finally:
        sink.stop()
    assert not [s for s in subjects if "Payment" in s]
    assert any(s.startswith("New sign-in") for s in subjects)
