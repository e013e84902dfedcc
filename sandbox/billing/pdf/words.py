"""The words printed on invoices and statements, in the subscriber's language (en, es, pt — pt as written in
Brazil), and dates and amounts formatted for it by babel (CLDR). What Billing itself wrote (a charge line's
description, a service's label) is data and printed as it is. Add a language: a column in WORDS, its CLDR
locale in CLDR (tests/sandbox/test_billing_pdf_languages.py checks every word has every language)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Final

from babel.dates import format_date
from babel.numbers import format_decimal

CLDR: Final = {"en": "en_US", "es": "es", "pt": "pt_BR"}

WORDS: Final[dict[str, dict[str, str]]] = {
    "INVOICE": {"en": "INVOICE", "es": "FACTURA", "pt": "FATURA"},
    "CONSOLIDATED STATEMENT": {
        "en": "CONSOLIDATED STATEMENT",
        "es": "ESTADO DE CUENTA",
        "pt": "EXTRATO CONSOLIDADO",
    },
    "Invoice {number} for {name}": {
        "en": "Invoice {number} for {name}",
        "es": "Factura {number} de {name}",
        "pt": "Fatura {number} de {name}",
    },
    "Consolidated statement for {name}": {
        "en": "Consolidated statement for {name}",
        "es": "Estado de cuenta de {name}",
        "pt": "Extrato consolidado de {name}",
    },
    "No. {number}": {"en": "No. {number}", "es": "N.º {number}", "pt": "N.º {number}"},
    "BILL TO": {"en": "BILL TO", "es": "FACTURAR A", "pt": "COBRAR DE"},
    "ACCOUNT HOLDER": {"en": "ACCOUNT HOLDER", "es": "TITULAR DE LA CUENTA", "pt": "TITULAR DA CONTA"},
    "Account {number}": {"en": "Account {number}", "es": "Cuenta {number}", "pt": "Conta {number}"},
    "Issued": {"en": "Issued", "es": "Emitida", "pt": "Emitida em"},
    "Due": {"en": "Due", "es": "Vence", "pt": "Vencimento"},
    "Service period": {"en": "Service period", "es": "Período de servicio", "pt": "Período do serviço"},
    "Currency": {"en": "Currency", "es": "Moneda", "pt": "Moeda"},
    "Description": {"en": "Description", "es": "Descripción", "pt": "Descrição"},
    "Amount": {"en": "Amount", "es": "Importe", "pt": "Valor"},
    "Amount ({currency})": {
        "en": "Amount ({currency})",
        "es": "Importe ({currency})",
        "pt": "Valor ({currency})",
    },
    "No charges this period": {
        "en": "No charges this period",
        "es": "Sin cargos en este período",
        "pt": "Nenhuma cobrança neste período",
    },
    "Total": {"en": "Total", "es": "Total", "pt": "Total"},
    "Amount paid": {"en": "Amount paid", "es": "Importe pagado", "pt": "Valor pago"},
    "Balance due": {"en": "Balance due", "es": "Saldo a pagar", "pt": "Saldo a pagar"},
    "Please pay by {date}. Quote invoice {number} with any payment. {footer}.": {
        "en": "Please pay by {date}. Quote invoice {number} with any payment. {footer}.",
        "es": "Paga antes del {date}. Indica la factura {number} en cualquier pago. {footer}.",
        "pt": "Pague até {date}. Informe a fatura {number} em qualquer pagamento. {footer}.",
    },
    "Pay online in your portal": {
        "en": "Pay online in your portal",
        "es": "Paga en línea en tu portal",
        "pt": "Pague on-line no seu portal",
    },
    "Questions?": {"en": "Questions?", "es": "¿Preguntas?", "pt": "Dúvidas?"},
    "Page {page} of {pages}": {
        "en": "Page {page} of {pages}",
        "es": "Página {page} de {pages}",
        "pt": "Página {page} de {pages}",
    },
    "{title} {reference} (continued)": {
        "en": "{title} {reference} (continued)",
        "es": "{title} {reference} (continuación)",
        "pt": "{title} {reference} (continuação)",
    },
    "Generated {date}": {"en": "Generated {date}", "es": "Emitido el {date}", "pt": "Emitido em {date}"},
    "Services": {"en": "Services", "es": "Servicios", "pt": "Serviços"},
    "Open invoices": {"en": "Open invoices", "es": "Facturas pendientes", "pt": "Faturas em aberto"},
    "Total outstanding": {"en": "Total outstanding", "es": "Total pendiente", "pt": "Total em aberto"},
    "Wallet balance": {"en": "Wallet balance", "es": "Saldo de la billetera", "pt": "Saldo da carteira"},
    "Service / charge": {"en": "Service / charge", "es": "Servicio / cargo", "pt": "Serviço / cobrança"},
    "No services on this account": {
        "en": "No services on this account",
        "es": "No hay servicios en esta cuenta",
        "pt": "Nenhum serviço nesta conta",
    },
    "Subtotal": {"en": "Subtotal", "es": "Subtotal", "pt": "Subtotal"},
    "Invoice": {"en": "Invoice", "es": "Factura", "pt": "Fatura"},
    "Due date": {"en": "Due date", "es": "Vencimiento", "pt": "Vencimento"},
    "No open invoices - thank you.": {
        "en": "No open invoices - thank you.",
        "es": "No hay facturas pendientes. ¡Gracias!",
        "pt": "Nenhuma fatura em aberto - obrigado.",
    },
    "Your Internet Provider": {
        "en": "Your Internet Provider",
        "es": "Tu proveedor de internet",
        "pt": "Seu provedor de internet",
    },
    "PAID": {"en": "PAID", "es": "PAGADA", "pt": "PAGA"},
    "OPEN": {"en": "OPEN", "es": "PENDIENTE", "pt": "EM ABERTO"},
    "OVERDUE": {"en": "OVERDUE", "es": "VENCIDA", "pt": "VENCIDA"},
    "VOID": {"en": "VOID", "es": "ANULADA", "pt": "CANCELADA"},
    # The statement's activity section.
    "Account activity {start} - {end}": {
        "en": "Account activity {start} - {end}",
        "es": "Movimientos de la cuenta {start} - {end}",
        "pt": "Movimentação da conta {start} - {end}",
    },
    "Date": {"en": "Date", "es": "Fecha", "pt": "Data"},
    "Balance": {"en": "Balance", "es": "Saldo", "pt": "Saldo"},
    "Opening balance": {"en": "Opening balance", "es": "Saldo inicial", "pt": "Saldo inicial"},
    "Closing balance": {"en": "Closing balance", "es": "Saldo final", "pt": "Saldo final"},
    "Charges": {"en": "Charges", "es": "Cargos", "pt": "Cobranças"},
    "Payments": {"en": "Payments", "es": "Pagos", "pt": "Pagamentos"},
    "Credits": {"en": "Credits", "es": "Créditos", "pt": "Créditos"},
    "Charge": {"en": "Charge", "es": "Cargo", "pt": "Cobrança"},
    "Payment": {"en": "Payment", "es": "Pago", "pt": "Pagamento"},
    "Credit": {"en": "Credit", "es": "Crédito", "pt": "Crédito"},
    "No charges, payments or credits in this period": {
        "en": "No charges, payments or credits in this period",
        "es": "No hay cargos, pagos ni créditos en este período",
        "pt": "Não há cobranças, pagamentos nem créditos neste período",
    },
    "A positive balance is owed; a negative one is credit in your favour.": {
        "en": "A positive balance is owed; a negative one is credit in your favour.",
        "es": "Un saldo positivo es lo que debes; uno negativo es crédito a tu favor.",
        "pt": "Um saldo positivo é o valor devido; um negativo é crédito a seu favor.",
    },
}


def language(locale: str | None) -> str:
    return locale if locale in CLDR else "en"


class Words:
    """The document's words, dates and amounts in one language."""

    def __init__(self, locale: str | None = "en") -> None:
        self.lang = language(locale)
        self.cldr = CLDR[self.lang]

    def __call__(self, phrase: str, **fields: str) -> str:
        text = WORDS.get(phrase, {}).get(self.lang, phrase)
        return text.format(**fields) if fields else text

    def date(self, value: date) -> str:
        """ "Dec 2, 2026", "2 dic 2026", "2 de dez. de 2026"."""
        return format_date(value, "medium", locale=self.cldr)

    def amount(self, wire: str) -> str:
        """A wire amount ("1234.50") with the language's separators and the same decimals ("1.234,50");
        English keeps the wire form, as the documents always printed it."""
        if self.lang == "en":
            return wire
        try:
            value = Decimal(wire)
        except ArithmeticError:
            return wire
        exp = value.as_tuple().exponent
        decimals = -exp if isinstance(exp, int) and exp < 0 else 0
        pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
        return format_decimal(value, format=pattern, locale=self.cldr)
