"""The wallet domain."""
