"""The service domain."""
