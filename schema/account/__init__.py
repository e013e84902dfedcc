"""The account domain."""
