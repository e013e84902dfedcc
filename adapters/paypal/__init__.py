"""PayPal (Orders v2, webhooks) as a second payment gateway: `client.HttpPayPal` implements
`adapters.ports.paypal.PayPalPort`."""
