"""Billing's vocabulary, terms and limits: read by its API (to validate requests), its services (to apply
them) and its seed."""

from __future__ import annotations

from datetime import timedelta

# Who the documents say they are from.
ISP_NAME = "WISPGate Networks"
ISP_ADDRESS = "100 Tower Road, Springfield"

INVOICE_STATUSES = ("OPEN", "PAID", "OVERDUE", "VOID")
UNPAID = ("OPEN", "OVERDUE")
PAYMENT_METHODS = ("CARD", "WALLET", "BANK_TRANSFER", "GATEWAY")
WALLET_KINDS = (
    "TOPUP",
    "PROMO",
    "GIFT_CARD",
    "COMPENSATION",
    "INVOICE_PAYMENT",
    "OVERPAYMENT",
    "RENEWAL",
    "ADD_ON",
)
CREDIT_KINDS = ("TOPUP", "PROMO", "COMPENSATION")  # what a wallet credit may be (the others have their flows)
CARD_BRANDS = ("visa", "mastercard", "amex", "discover", "diners", "jcb", "unionpay", "unknown")

DUE_AFTER_DAYS = 14  # net terms of an invoice issued by a billing run
RECENT_DAYS = 90  # a statement lists unpaid invoices and those issued in the last 90 days
MAX_RUN_DISTANCE = timedelta(days=366)  # how far from today a billing run may be dated
MAX_PAGE = 100  # wallet transactions per page
MAX_ACTIVITY_DAYS = 366  # the longest period a statement's activity or a payments list covers

# What the billing run reports about autopay.
AUTOPAY_RAN = "RAN"
AUTOPAY_SKIPPED_NO_CHARGER = "SKIPPED_NO_CHARGER"

# Dunning: after an autopay charge of an invoice is first declined, the billing run retries it on these days
# after that decline (one charge per retry, whatever the number of runs that day). Suspension for non-payment
# of that invoice waits until the last retry has failed (and the grace days have passed). The contract an
# operator's billing keeps is written in docs/adapters.md ("Dunning").
DUNNING_RETRY_DAYS = (1, 3, 5)
MAX_DUNNING_RETRIES = 10
MAX_DUNNING_DAY = 60
