"""Billing's business rules, one mixin per area, composed into `BillingService`:

- `invoice_reads`, `account_reads`: what the BFF reads (batch-first, wire-ready);
- `accounts`: stored cards, autopay and the gateway customer;
- `payments`: recording payments and paying from the wallet; `wallet`: credits, gift cards, renewals;
- `plans`: the plan and add-on catalogue, plan changes with their proration, add-on purchases;
- `runs`: the operator's billing run (issuing, overdue, suspension) with `autopay` charging saved cards;
- `documents`: invoice and statement PDFs;
- `cycle`, `invoicing`: pure rules about periods and what goes on an invoice.

`base` holds what every area shares. The mixins only import downwards (base, then the reads, then the
operations that build on them), never each other's callers.
"""

from __future__ import annotations

from sandbox.billing.service.accounts import BillingAccounts
from sandbox.billing.service.documents import BillingDocuments
from sandbox.billing.service.runs import BillingRuns
from sandbox.billing.service.wallet import BillingWallet


class BillingService(BillingDocuments, BillingRuns, BillingWallet, BillingAccounts):
    """Everything Billing does, callable from the API, the operator console and peers in one process."""
