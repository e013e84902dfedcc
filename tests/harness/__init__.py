"""Test harness shared by every test area: the Portal client, the sandbox template, the dispatch transport."""
