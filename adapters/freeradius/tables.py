"""The three small tables of ours beside FreeRADIUS's schema (docs/adapters.md, "FreeRADIUS"), created by
the adapter when missing (its database user needs CREATE once, or the operator runs these statements):

- `wispgate_aaa_subscriber`: which subscriber a sub-service belongs to (FreeRADIUS has no such notion);
  the operator's provisioning fills it. Sub-services absent from it are still read by id.
- `wispgate_aaa_history`: the status changes the portal made or observed (the audit `status_history` reads).
- `wispgate_aaa_keys`: the first answer of each idempotency key (reactivate, set_profile), kept 30 days.
"""

from __future__ import annotations

POSTGRESQL = (
    """CREATE TABLE IF NOT EXISTS wispgate_aaa_subscriber (
        subservice_id varchar(100) PRIMARY KEY,
        subscriber_id varchar(100) NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS wispgate_aaa_subscriber_idx ON wispgate_aaa_subscriber (subscriber_id)",
    """CREATE TABLE IF NOT EXISTS wispgate_aaa_history (
        id bigserial PRIMARY KEY,
        subservice_id varchar(100) NOT NULL,
        from_status varchar(16),
        to_status varchar(16) NOT NULL,
        reason varchar(32),
        note varchar(500),
        actor varchar(16) NOT NULL,
        at timestamptz NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS wispgate_aaa_history_idx ON wispgate_aaa_history (subservice_id, id)",
    """CREATE TABLE IF NOT EXISTS wispgate_aaa_keys (
        idem_key varchar(250) PRIMARY KEY,
        request_hash char(64) NOT NULL,
        answer text NOT NULL,
        created_at timestamptz NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS wispgate_aaa_keys_age_idx ON wispgate_aaa_keys (created_at)",
)

MYSQL = (
    """CREATE TABLE IF NOT EXISTS wispgate_aaa_subscriber (
        subservice_id varchar(100) NOT NULL PRIMARY KEY,
        subscriber_id varchar(100) NOT NULL,
        KEY wispgate_aaa_subscriber_idx (subscriber_id)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4""",
    """CREATE TABLE IF NOT EXISTS wispgate_aaa_history (
        id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,
        subservice_id varchar(100) NOT NULL,
        from_status varchar(16),
        to_status varchar(16) NOT NULL,
        reason varchar(32),
        note varchar(500),
        actor varchar(16) NOT NULL,
        at datetime(6) NOT NULL,
        KEY wispgate_aaa_history_idx (subservice_id, id)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4""",
    """CREATE TABLE IF NOT EXISTS wispgate_aaa_keys (
        idem_key varchar(250) NOT NULL PRIMARY KEY,
        request_hash char(64) NOT NULL,
        answer text NOT NULL,
        created_at datetime(6) NOT NULL,
        KEY wispgate_aaa_keys_age_idx (created_at)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4""",
)


def ddl(dialect: str) -> tuple[str, ...]:
    return POSTGRESQL if dialect == "postgresql" else MYSQL


NAMES = ("wispgate_aaa_subscriber", "wispgate_aaa_history", "wispgate_aaa_keys")


def existing(dialect: str) -> str:
    """How many of our tables exist already (MariaDB warns on `CREATE TABLE IF NOT EXISTS` of one that does,
    so the adapter asks first)."""
    schema = "current_schema()" if dialect == "postgresql" else "DATABASE()"
    names = ", ".join(f"'{n}'" for n in NAMES)
    return f"SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = {schema} AND table_name IN ({names})"
