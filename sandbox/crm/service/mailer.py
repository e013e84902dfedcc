"""E-mail over SMTP: one message in, one proper MIME message out (plain text and HTML alternatives, a link
into the portal), sent with `smtplib`.

`SMTP_URL` says where and how: `smtp://host:25` (plain, for a local sink), `smtp+starttls://user:pass@host:587`
(STARTTLS, then AUTH), `smtps://user:pass@host:465` (TLS from the first byte). `?timeout=10` bounds every
step; `?cafile=/etc/ssl/private-ca.pem` trusts a private CA (the server's certificate is always verified). Other parts of the CRM (ticket notices, password resets, sign-in alerts) call `Mailer.send_mail`; the
outbox relay (`mail_outbox.py`) is what calls it for queued notices, off the request path.
"""

from __future__ import annotations

import html
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid, parseaddr
from urllib.parse import parse_qs, unquote, urlsplit

from adapters.brand import DEFAULT_BRAND, Brand

DEFAULT_SENDER = formataddr((f"{DEFAULT_BRAND.name} Support", DEFAULT_BRAND.support_email))
SECURITY = ("none", "starttls", "tls")
_SCHEMES = {"smtp": "none", "smtp+starttls": "starttls", "smtps": "tls"}
_DEFAULT_PORTS = {"none": 25, "starttls": 587, "tls": 465}


class MailError(Exception):
    """The message could not be handed to the SMTP server; the text says why (never the password)."""


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    host: str
    port: int
    security: str = "none"  # one of SECURITY
    username: str | None = None
    password: str | None = None
    sender: str = DEFAULT_SENDER
    timeout_s: float = 10.0
    cafile: str | None = None  # a private CA to verify the server with; None: the system's

    def __repr__(self) -> str:  # never the password, whatever logs this
        return f"SmtpSettings({self.security}://{self.host}:{self.port}, user={self.username!r})"


def smtp_settings(url: str, sender: str = DEFAULT_SENDER) -> SmtpSettings:
    """Parse `SMTP_URL`; raises ValueError naming what is wrong."""
    parts = urlsplit(url)
    security = _SCHEMES.get(parts.scheme)
    if security is None:
        raise ValueError(f"SMTP_URL must start with one of {', '.join(_SCHEMES)}://")
    if not parts.hostname:
        raise ValueError("SMTP_URL needs a host")
    query = parse_qs(parts.query)
    if query.get("starttls", [""])[0].lower() in ("1", "true", "yes"):
        security = "starttls"
    timeout = float(query.get("timeout", ["10"])[0])
    if not 0 < timeout <= 120:
        raise ValueError("SMTP_URL timeout must be between 0 and 120 seconds")
    return SmtpSettings(
        host=parts.hostname,
        port=parts.port or _DEFAULT_PORTS[security],
        security=security,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        sender=sender,
        timeout_s=timeout,
        cafile=query.get("cafile", [None])[0],
    )


def html_body(
    text: str,
    link: str | None,
    link_label: str = "Open in the portal",
    brand: Brand = DEFAULT_BRAND,
    logo_url: str | None = None,
    questions: str = "Questions?",
) -> str:
    """The HTML alternative of a plain-text body in the operator's brand: a header in its colour with its
    logo (`logo_url`, the portal's /brand/logo) and name, the paragraphs escaped, the link as a button in its
    colour, and its support contacts at the foot."""
    paragraphs = "".join(
        f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in text.split("\n\n") if p.strip()
    )
    color = brand.primary_color
    name = html.escape(brand.name)
    button = (
        f'<p><a href="{html.escape(link, quote=True)}" style="display:inline-block;padding:10px 16px;'
        f'background:{color};color:#fff;text-decoration:none;border-radius:4px">{html.escape(link_label)}</a></p>'
        if link
        else ""
    )
    logo = (
        f'<img src="{html.escape(logo_url, quote=True)}" alt="" height="32" '
        'style="height:32px;vertical-align:middle;margin-right:10px">'
        if logo_url
        else ""
    )
    header = (
        f'<div style="background:{color};color:#fff;padding:12px 16px;font-weight:700;font-size:16px">'
        f"{logo}{name}</div>"
    )
    contacts = html.escape(brand.contacts)
    return (
        '<!doctype html><html><body style="margin:0;font-family:system-ui,sans-serif;line-height:1.5;'
        f'color:#1b1f24">{header}<div style="padding:16px">{paragraphs}{button}'
        f'<p style="color:#5b6b80;font-size:12px">{name} · {html.escape(questions)} {contacts}</p></div></body></html>'
    )


def compose(
    to: str,
    subject: str,
    text: str,
    html_text: str | None,
    link: str | None,
    sender: str,
    brand: Brand = DEFAULT_BRAND,
    logo_url: str | None = None,
) -> EmailMessage:
    """multipart/alternative: text first (what plain clients show), HTML second (what others prefer)."""
    if "\n" in subject or "\r" in subject or "\n" in to or "\r" in to:
        raise MailError("a header value holds a line break")
    if "@" not in parseaddr(to)[1]:
        raise MailError("the recipient is not an e-mail address")
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain=parseaddr(sender)[1].partition("@")[2] or "wispgate.example")
    body = f"{text}\n\n{link}\n" if link and link not in text else text
    message.set_content(body)
    message.add_alternative(
        html_text or html_body(text, link, brand=brand, logo_url=logo_url), subtype="html"
    )
    return message


class Mailer:
    """Sends one message per call over a fresh SMTP connection (the volumes here are a few a minute)."""

    def __init__(self, settings: SmtpSettings, brand: Brand = DEFAULT_BRAND, portal_url: str = "") -> None:
        """`brand`: the operator's, on every message; `portal_url`: where its logo is (/brand/logo)."""
        self.settings = settings
        self.brand = brand
        self.logo_url = f"{portal_url.rstrip('/')}/brand/logo" if portal_url else None

    def send_mail(
        self, to: str, subject: str, text: str, html: str | None = None, link: str | None = None
    ) -> str:
        """Send one message; returns its Message-ID. Raises MailError when the server refuses or is away."""
        s = self.settings
        message = compose(to, subject, text, html, link, s.sender, self.brand, self.logo_url)
        try:
            smtp: smtplib.SMTP
            if s.security == "tls":
                smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout_s, context=self._tls())
            else:
                smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout_s)
            with smtp:
                smtp.ehlo()
                if s.security == "starttls":
                    # Refused when the server does not offer it: credentials never go out in the clear.
                    smtp.starttls(context=self._tls())
                    smtp.ehlo()
                if s.username:
                    smtp.login(s.username, s.password or "")
                smtp.send_message(message)
        except (smtplib.SMTPException, OSError) as exc:
            raise MailError(f"{type(exc).__name__} talking to {s.host}:{s.port}: {exc}") from None
        return str(message["Message-ID"])

    def _tls(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.settings.cafile)
