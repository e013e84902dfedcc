"""Billing: the system of record for money — accounts, charges, invoices, payments, the wallet.

`system` wires it: `api` (HTTP handlers) → `service` (the rules, one mixin per area) → `store` (tables and
the wire shapes of their rows); `pdf` lays out the documents the service composes; `seed` loads Billing's
part of the world; `config` holds the vocabulary and terms every layer reads.
"""
