"""Payments: starting a checkout, verifying the gateway's webhooks, and settling what they report."""
