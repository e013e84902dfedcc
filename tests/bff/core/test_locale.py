"""`bff.core.locale.negotiate`: the portal language an Accept-Language header prefers."""

from __future__ import annotations

import pytest

from bff.core.locale import negotiate


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("", None),
        ("fr-FR, de;q=0.9", None),
        ("es-MX,es;q=0.9,en;q=0.8", "es"),
        ("pt-BR", "pt"),
        ("PT-pt;q=0.5, en;q=0.6", "en"),  # quality wins over order
        ("en;q=0.8, es;q=0.8", "en"),  # a tie: the first listed
        ("es;q=0, en", "en"),  # q=0 means "not this one"
        ("es;q=abc, pt", "pt"),  # a broken quality counts as 0
        ("*", None),
        ("x" * 10_000 + ",es", None),  # bounded: an endless header is cut, not parsed whole
    ],
)
def test_negotiate(header: str | None, expected: str | None) -> None:
    assert negotiate(header) == expected
