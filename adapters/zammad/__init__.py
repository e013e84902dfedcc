"""The tickets port over Zammad's REST API (`TICKETS_BACKEND=zammad`), and its webhooks' verification."""
