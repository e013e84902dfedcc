"""Deadlines, circuit breakers, bulkheads and retries for the backend clients (`guard.Guard` puts them
together; one per backend per process)."""
