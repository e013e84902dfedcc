"""A runnable sandbox of the ISP's core systems (Billing, CRM, AAA, OSS) and a Stripe-compatible payment
gateway, for development, tests and the demo.

Every system has the same rooms, and imports run one way through them:

    system  →  api  →  service  →  store
       └─────→ seed ──────┘
    config: below all of them (the vocabulary and limits each layer reads)

- `system.py` wires one system: its tables, its service, its routes, its seed (`<Name>System`).
- `api` holds the HTTP handlers (`<Name>Api`, one method per route); they validate the request's shape and
  call the service.
- `service` holds the rules; where there are many (billing, crm, gateway) it is a package, one module per
  area, composed in its `__init__`.
- `store.py` holds the SQLite schema and the wire shapes built from rows.
- `seed.py` loads the system's part of the seed world (`sandbox.world`).

Below the systems: `common` (database, outbox, HTTP conventions, money, peers) and `world`. Above them:
`app.py`, the composition root that builds every system and mounts them with the operator `console`. The
sandbox imports nothing of `bff` or `schema`; it may use `adapters`' shared leaves (signing, the contract).

A new endpoint: a route and a handler in the system's `api`, the rule in its `service`, the request and
answer in `adapters/wispgate/openapi/<system>.yaml` (then `python -m adapters.wispgate.contract`).
"""
