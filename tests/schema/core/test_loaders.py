"""The per-request loaders: built on first use, and primed records served without a backend call (kept aside
until a key of them is asked for)."""

from __future__ import annotations

from typing import cast

from bff.core.backends import Backends
from schema.core.loaders import BatchLoader, Loaders

NO_BACKENDS = cast("Backends", None)  # neither test below reaches a backend


class Echo(BatchLoader[str, str]):
    """Answers `<key>!` and remembers every batch it was asked for."""

    def __init__(self) -> None:
        super().__init__(NO_BACKENDS)
        self.batches: list[list[str]] = []

    async def batch_load(self, keys: list[str]) -> list[str]:
        self.batches.append(list(keys))
        return [f"{k}!" for k in keys]


async def test_a_primed_key_is_served_without_a_batch_and_the_others_are_batched_together() -> None:
    loader = Echo()
    loader.prime("a", "primed a")
    loader.prime("a", "second a")  # the first value primed is kept
    loader.prime("b", "primed b")
    assert await loader.load("a") == "primed a"
    assert await loader.load_many(["b", "c", "d"]) == ["primed b", "c!", "d!"]
    assert loader.batches == [["c", "d"]]


async def test_priming_a_key_already_loaded_keeps_the_loaded_value() -> None:
    loader = Echo()
    assert await loader.load("a") == "a!"
    loader.prime("a", "primed a")
    assert await loader.load("a") == "a!"
    assert loader.batches == [["a"]]


async def test_loaders_are_built_on_first_use_and_a_primed_loader_is_the_one_the_request_loads_from() -> None:
    # (async: aiodataloader binds each loader to the running event loop)
    loaders = Loaders(NO_BACKENDS)
    assert not [name for name in vars(loaders) if not name.startswith("_")]
    by_subscriber = loaders.subservices_by_subscriber_id
    assert by_subscriber.by_id is loaders.subservice_by_id
    assert loaders.invoices_by_subscriber_id.by_id is loaders.invoice_by_id
    assert set(vars(loaders)) == {
        "_backends",
        "subservices_by_subscriber_id",
        "subservice_by_id",
        "invoices_by_subscriber_id",
        "invoice_by_id",
    }
