"""The Stripe-compatible payment gateway adapter: `HttpStripeGateway` (the API) and `verify_event`
(webhooks). It works against api.stripe.com and against the sandbox gateway alike."""
