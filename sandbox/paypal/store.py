"""The emulator's tables: orders (their JSON as PayPal answers it), request ids already answered, tokens."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS paypal_orders (
    id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    decline INTEGER NOT NULL DEFAULT 0,
    body TEXT NOT NULL,
    return_url TEXT NOT NULL,
    cancel_url TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS paypal_requests (
    request_id TEXT NOT NULL,
    operation TEXT NOT NULL,
    status INTEGER NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (request_id, operation)
);
CREATE TABLE IF NOT EXISTS paypal_tokens (
    token TEXT PRIMARY KEY,
    expires_at REAL NOT NULL
);
"""
