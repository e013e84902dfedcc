"""Which of the portal's languages a request asks for, from its `Accept-Language` header (RFC 9110 §12.5.4):
for what the server writes before anyone is signed in (a password-reset e-mail). Signed-in users have their
own choice in the CRM (`setLocale`)."""

from __future__ import annotations

from adapters.ports.crm import LOCALES, Locale

MAX_HEADER = 500  # a longer header is cut: no one lists that many languages
MAX_RANGES = 20


def negotiate(accept_language: str | None) -> Locale | None:
    """The supported language the header prefers most ("es-MX,es;q=0.9,en;q=0.8" → "es"), matching on the
    primary subtag; None when it names none of them (the caller keeps its default)."""
    if not accept_language:
        return None
    ranked: list[tuple[float, int, Locale]] = []
    for index, part in enumerate(accept_language[:MAX_HEADER].split(",")[:MAX_RANGES]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        primary = tag.strip().split("-", 1)[0].lower()
        if quality > 0 and primary in LOCALES:
            ranked.append((-quality, index, primary))
    return min(ranked)[2] if ranked else None
