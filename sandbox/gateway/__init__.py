"""The payment gateway sandbox: a Stripe-compatible subset (customers, Checkout Sessions with a hosted card
page, off-session PaymentIntents, saved PaymentMethods, events and signed webhooks).

`system` wires it: `api` (the `/v1/…` handlers, the hosted page, auth) → `service` (the rules, one mixin
per job) → `store` (tables) and `objects` (Stripe's JSON for the rows). `form` (Stripe's request encoding)
and `errors` (Stripe's error shape) are the dialect every layer speaks; `config` holds the settings.
"""
