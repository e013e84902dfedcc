"""Billing's HTTP surface: `routes` (the handlers) and `validate` (the request-body checks they share)."""
