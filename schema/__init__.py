"""The GraphQL contract: `schema.core` (IDs, connections, errors, permissions, loaders, context), one package
per domain (types, then mutations and subscriptions), and `schema.build`, which composes the roots."""
