"""The one way the account services send an e-mail (password reset, invitation, sign-in alert, password
changed).

The message goes into the CRM's e-mail outbox (`Notices.queue_email`) in the caller's transaction, and the
outbox relay (`mail_outbox.py`) hands it to the SMTP server (`mailer.py`, `SMTP_URL`) off the request path,
retrying a refused one — the same path as every other e-mail of the CRM. `link` becomes the HTML part's
button (the text part carries it in the body).
"""

from __future__ import annotations

from sandbox.crm.service.mail_text import chrome, render
from sandbox.crm.service.mailer import html_body
from sandbox.crm.service.notices import Notices


def send_mail(
    notices: Notices,
    *,
    to: str,
    message: str,
    locale: str | None,
    subscriber_id: str | None,
    link: str | None = None,
    **fields: str,
) -> str:
    """Queue one of `mail_text.MESSAGES` in `locale` for the relay; its id. The HTML part is written here, in
    the same language (the relay knows no languages)."""
    subject, body = render(message, locale, brand=notices.brand.name, link=link or "", **fields)
    logo = f"{notices.portal_url}/brand/logo" if notices.portal_url else None
    html = html_body(
        body, link, chrome("open", locale), notices.brand, logo, questions=chrome("questions", locale)
    )
    return notices.queue_email(subscriber_id, to, subject, body, html=html, link=link)
