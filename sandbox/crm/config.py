"""The CRM's vocabulary and limits, read by its API (to validate requests) and its services (to apply them).

The support policy that turns a category and a priority into a queue and SLA targets is a rule, not a
setting: it lives in `service/sla.py`.
"""

from __future__ import annotations

SUBSCRIBER_KINDS = ("RESIDENTIAL", "ENTERPRISE", "MDU")
SUBSERVICE_KINDS = ("INTERNET", "IPTV", "VOIP")
ROLES = ("OWNER", "MANAGER", "SITE", "FINANCE", "VIEWER")
# The languages of the portal, its e-mails and PDFs: ISO 639-1 codes ("pt" is written as in Brazil).
LOCALES = ("en", "es", "pt")

TICKET_CATEGORIES = ("CONNECTIVITY", "BILLING", "DEVICE", "INSTALLATION", "OTHER")
TICKET_PRIORITIES = ("LOW", "NORMAL", "HIGH", "URGENT")
TICKET_STATUSES = ("OPEN", "IN_PROGRESS", "WAITING_ON_CUSTOMER", "RESOLVED", "CLOSED")
ACTIVE_STATUSES = ("OPEN", "IN_PROGRESS", "WAITING_ON_CUSTOMER")
SUPPORT_STATUSES = ("IN_PROGRESS", "WAITING_ON_CUSTOMER", "RESOLVED")  # what a support reply may set

NOTIFICATION_KINDS = (
    "INVOICE_ISSUED",
    "PAYMENT_RECEIVED",
    "PAYMENT_FAILED",
    "WALLET_CREDITED",
    "SERVICE_STATUS",
    "TICKET_UPDATED",
    "GENERAL",
)
# Notifications about the account's wallet (its credit, its balance): SITE users, who have no wallet, do not
# see them, as they do not see the wallet itself.
WALLET_NOTIFICATION_KINDS = ("WALLET_CREDITED",)
# Notifications about an invoice: without a sub-service they are about an account-wide (consolidated) invoice,
# which SITE users do not see either.
INVOICE_NOTIFICATION_KINDS = ("INVOICE_ISSUED", "PAYMENT_RECEIVED", "PAYMENT_FAILED")
# Notices that, without a sub-service, speak for the whole account: SITE users, who see only their sites, do
# not see them (an invoice as above; a service notice about several of the account's services, e.g. an outage).
ACCOUNT_WIDE_NOTIFICATION_KINDS = (*INVOICE_NOTIFICATION_KINDS, "SERVICE_STATUS")

# Cursor tags: a cursor names the list it came from, so one list's cursor is refused by another.
SUBSERVICE_CURSOR = "ss"
TICKET_CURSOR = "tck"
NOTIFICATION_CURSOR = "ntf"

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS_PER_TICKET = 10
MAX_FILENAME = 120

# Request limits of the HTTP API.
MAX_SUBJECT = 200
MAX_BODY = 10_000
MAX_TITLE = 200
MAX_ID = 100
