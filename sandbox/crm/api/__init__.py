"""The CRM's HTTP surface: `routes` (the handlers), `params` and `upload` (request parsing they share)."""
