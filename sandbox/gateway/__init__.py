"""The payment gateway sandbox: a Stripe-compatible subset (customers, Checkout Sessions with a hosted card
page, off-session PaymentIntents, saved PaymentMethods, events and signed webhooks)."""
