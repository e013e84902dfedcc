"""Invoices and statements printed in the subscriber's language: Billing's words, dates and amounts in es and
pt (babel/CLDR), English unchanged, and every word of `sandbox.billing.pdf.words` in every language."""

from __future__ import annotations

import dataclasses
import re
import string

import pytest

from sandbox.billing.pdf import invoice_pdf, statement_pdf
from sandbox.billing.pdf.words import WORDS
from tests.sandbox.test_billing_pdf import _invoice, _pages, _statement


def test_every_word_has_every_language_with_the_same_fields() -> None:
    for phrase, languages in WORDS.items():
        assert set(languages) == {"en", "es", "pt"}, phrase
        assert languages["en"] == phrase
        fields = {
            lang: {f for _, f, _, _ in string.Formatter().parse(text) if f}
            for lang, text in languages.items()
        }
        assert fields["es"] == fields["en"] == fields["pt"], phrase
        for text in languages.values():
            text.encode("cp1252")  # the core fonts print it as written, accents and all


@pytest.mark.parametrize(
    ("locale", "expected", "english"),
    [
        (
            "es",
            [
                "FACTURA",
                "FACTURAR A",
                "Emitida",
                "1 nov 2026",
                "Importe (USD)",
                "Saldo a pagar",
                "117,97",
                "Paga antes del 15 nov 2026",
                "PENDIENTE",
                "Página 1 de 1",
            ],
            ["INVOICE", "BILL TO", "Balance due", "Nov 15, 2026", "Page 1 of"],
        ),
        (
            "pt",
            [
                "FATURA",
                "COBRAR DE",
                "Emitida em",
                "1 de nov. de 2026",
                "Valor (USD)",
                "Saldo a pagar",
                "117,97",
                "Pague até 15 de nov. de 2026",
                "EM ABERTO",
                "Página 1 de 1",
            ],
            ["INVOICE", "BILL TO", "Balance due", "Nov 15, 2026", "Page 1 of"],
        ),
    ],
)
def test_an_invoice_in_the_subscribers_language(locale: str, expected: list[str], english: list[str]) -> None:
    text = " ".join(_pages(invoice_pdf(dataclasses.replace(_invoice(), locale=locale))))
    flat = re.sub(r"\s+", " ", text)
    for phrase in expected:
        assert phrase in flat, (phrase, flat)
    for phrase in english:
        assert phrase not in flat, (phrase, flat)
    assert "Internet – Apt 101 plan 100/20" in flat  # Billing's own line text is data, printed as it is


def test_english_is_unchanged_and_an_unknown_language_is_english() -> None:
    english = invoice_pdf(_invoice())
    assert invoice_pdf(dataclasses.replace(_invoice(), locale="fr")) == english
    flat = " ".join(_pages(english))
    assert "INVOICE" in flat and "117.97" in flat and "Nov 15, 2026" in flat


def test_a_statement_in_portuguese_with_thousands_separators() -> None:
    doc = dataclasses.replace(
        _statement(count=3), locale="pt", total_outstanding="1234.50", wallet_balance="10.00"
    )
    flat = re.sub(r"\s+", " ", " ".join(_pages(statement_pdf(doc))))
    for phrase in (
        "EXTRATO CONSOLIDADO",
        "TITULAR DA CONTA",
        "Total em aberto",
        "1.234,50",
        "Saldo da carteira",
        "Faturas em aberto",
        "Emitido em 25 de nov. de 2026",
        "54,99",
    ):
        assert phrase in flat, (phrase, flat)
    assert "CONSOLIDATED STATEMENT" not in flat and "1,234.50" not in flat
