"""The subscriber domain."""
