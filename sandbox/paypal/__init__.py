"""The PayPal emulator: OAuth2 tokens, Orders v2 (create, read, capture), a hosted approval page, and
webhooks delivered signed, with the `verify-webhook-signature` endpoint that checks them."""
