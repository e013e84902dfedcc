"""Trusted documents: what admitting a request's document costs, in process, before and after the lock-down.

The admission step of /graphql (`bff.server.admission.Admission.operation`) on one decoded JSON payload, with
the schema's document cache, timed over `--samples` calls (median and p99):
- development (anything runs): the bounded-requests bench's attack document (1,238 copies of one field, a new
  operation name each time so no cache answers it) is parsed and measured before it is refused;
- production (trusted documents only): the same document is refused after one SHA-256 of its text;
- the web's largest operation by id (`documentId`), and by its text, in production (a cache hit either way).
And the static cost estimate (`schema.core.cost`) of the web's costliest operation, which an open API
(`ALLOW_ARBITRARY_OPERATIONS`) computes per request for documents outside the manifests.

Run: `python bench/trusted.py [--samples 2000] [--write]`.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from graphql import OperationDefinitionNode, parse  # noqa: E402

from bench.dashboard import machine_load  # noqa: E402
from bench.results import write_section  # noqa: E402
from bff.core.limits import Refusal  # noqa: E402
from bff.core.settings import GraphQLLimits  # noqa: E402
from bff.core.trusted import OperationPolicy, TrustedDocuments  # noqa: E402
from bff.server.admission import Admission  # noqa: E402
from schema.build import TRUSTED_DOCUMENTS_PATH, build_schema  # noqa: E402
from schema.core.cost import estimate_cost  # noqa: E402
from schema.core.document import DocumentCache  # noqa: E402


def timed(call: Callable[[int], object], samples: int) -> tuple[float, float, str]:
    """Median and p99 in microseconds, and what the call answered (a refusal's code, or "admitted")."""
    durations = []
    outcome = ""
    for i in range(samples):
        start = time.perf_counter()
        try:
            call(i)
            outcome = "admitted"
        except Refusal as refusal:
            outcome = f"{refusal.status} `{refusal.code}`"
        durations.append((time.perf_counter() - start) * 1e6)
    durations.sort()
    return statistics.median(durations), durations[int(len(durations) * 0.99) - 1], outcome


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=2000)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()

    limits = GraphQLLimits()
    trusted = TrustedDocuments.load([TRUSTED_DOCUMENTS_PATH])
    manifest = trusted.documents()
    largest_id, largest = max(manifest.items(), key=lambda item: len(item[1]))
    development = Admission(limits, DocumentCache(limits), OperationPolicy(trusted, arbitrary=True))
    production = Admission(limits, DocumentCache(limits), OperationPolicy(trusted, arbitrary=False))

    def attack(i: int) -> dict[str, object]:
        return {"query": f"query Dup{i} {{ " + " ".join(["__typename"] * 1238) + " }"}

    attack_samples = max(20, args.samples // 20)  # each development sample parses 20 KB
    rows = [
        ("attack document (1,238 copies, new name each), development", development, attack, attack_samples),
        ("attack document, production", production, attack, args.samples),
        (
            "web's largest operation by `documentId`, production",
            production,
            lambda _: {"documentId": largest_id},
            args.samples,
        ),
        (
            "web's largest operation as text, production",
            production,
            lambda _: {"query": largest},
            args.samples,
        ),
        (
            "an untrusted `{ viewer { role } }`, production",
            production,
            lambda _: {"query": "{ viewer { role } }"},
            args.samples,
        ),
    ]
    lines = ["| request | answer | median | p99 |", "|---|---|---|---|"]
    for label, admission, payload, samples in rows:
        median, p99, outcome = timed(lambda i, a=admission, p=payload: a.operation(p(i)), samples)
        lines.append(f"| {label} | {outcome} | {median:,.1f} µs | {p99:,.1f} µs |")

    schema = build_schema()._schema
    costs = {}
    for text in manifest.values():
        document = parse(text)
        [operation] = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        label = operation.name.value if operation.name else "?"
        costs[label] = (document, estimate_cost(schema, document, None, {"first": 100}))
    name, (document, cost) = max(costs.items(), key=lambda item: item[1][1])
    median, p99, _ = timed(lambda _: estimate_cost(schema, document, None, {"first": 100}), args.samples)

    body = "\n".join(
        [
            "## Trusted documents: the cost of admitting a document (`bench/trusted.py`)",
            "",
            f"In process, `Admission.operation` on a decoded payload, {args.samples} samples per row (the "
            f"development attack row {attack_samples}); the web's manifest holds {len(manifest)} documents.",
            "",
            *lines,
            "",
            f"Static cost estimate of the web's costliest operation ({name}, `first: 100`: cost {cost:,}): "
            f"median {median:,.1f} µs, p99 {p99:,.1f} µs per request (only for documents outside the manifests, "
            "when `ALLOW_ARBITRARY_OPERATIONS` is on).",
            "",
            f"Machine: {machine_load()}. On a shared, busy machine the medians are what to read; the p99s "
            "include other work.",
        ]
    )
    print(body)
    if args.write:
        write_section("trusted", body)


if __name__ == "__main__":
    main()
