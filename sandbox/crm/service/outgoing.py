"""The one way the account services send an e-mail (password reset, invitation, sign-in alert, password
changed).

The message goes into the CRM's e-mail outbox (`Notices.queue_email`) in the caller's transaction, and the
outbox relay (`mail_outbox.py`) hands it to the SMTP server (`mailer.py`, `SMTP_URL`) off the request path,
retrying a refused one — the same path as every other e-mail of the CRM. `link` becomes the HTML part's
button (the text part carries it in the body).
"""

from __future__ import annotations

from sandbox.crm.service.notices import Notices


def send_mail(
    notices: Notices, *, to: str, subject: str, body: str, subscriber_id: str | None, link: str | None = None
) -> str:
    """Queue one e-mail for the relay; its id."""
    return notices.queue_email(subscriber_id, to, subject, body, link=link)
