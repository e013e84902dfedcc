"""The one way the account services send an e-mail (password reset, invitation, sign-in alert).

Today the message goes into the CRM's e-mail outbox (`Notices.queue_email`, listed by the operator API);
when the SMTP mailer lands this is the only function to switch.
"""

from __future__ import annotations

from sandbox.crm.service.notices import Notices


def send_mail(notices: Notices, *, to: str, subject: str, body: str, subscriber_id: str | None) -> str:
    """Queue one e-mail; its id."""
    return notices.queue_email(subscriber_id, to, subject, body)
