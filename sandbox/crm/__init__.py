"""CRM: the system of record for subscribers, sub-services, portal users, tickets, notifications and audit.

`system` wires it: `api` (HTTP handlers) → `service` (the rules, one module per area) → `store` (tables);
`seed` loads its part of the world; `config` holds the vocabulary and limits every layer reads.
"""
