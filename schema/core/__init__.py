"""What every domain builds on: global IDs and nodes, connections, errors, permissions, scalars, money, the
per-request context and loaders, lookahead and pre-loading, and the schema extensions."""
