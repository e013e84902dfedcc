"""The AAA port over a FreeRADIUS deployment: its standard SQL schema (PostgreSQL or MariaDB) for status,
profile and sessions, and RFC 5176 CoA / Disconnect requests to the NAS for changes that must be live."""
