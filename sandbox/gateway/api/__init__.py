"""The gateway's HTTP surface: `routes` (the Stripe-compatible `/v1/…` API), `hosted` and `pages` (the hosted
checkout), `auth` (who may call what)."""
