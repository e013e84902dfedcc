"""The BFF's core: settings, auth and sessions, the event bus, signed files, the backends and the payment
wing. Imports only `adapters` (and itself); the GraphQL schema builds on it, the server wires both."""
