"""The web app's own GraphQL operations, read from its sources, as its generated client sends them: the
operation followed by every fragment it spreads (transitively). Tests that must ask what the portal asks
(the dashboard with a backend down) send these instead of a hand-written copy that could drift."""

from __future__ import annotations

import functools
import re

from tests.harness.process import REPO

WEB_SRC = REPO / "web" / "src"
_TEMPLATE = re.compile(r"graphql\(\s*`(.*?)`\s*\)", re.S)
_DEFINITION = re.compile(r"\b(query|mutation|subscription|fragment)\s+(\w+)")
_SPREAD = re.compile(r"\.\.\.\s*(?!on\b)([A-Za-z_]\w*)")  # a named spread, not `... on Type`


@functools.cache
def _documents() -> dict[str, str]:
    """Every `graphql(`...`)` definition in the web sources (the generated `gql/` excluded), by name."""
    found: dict[str, str] = {}
    for path in sorted([*WEB_SRC.rglob("*.ts"), *WEB_SRC.rglob("*.tsx")]):
        if "gql" in path.relative_to(WEB_SRC).parts:
            continue
        for text in _TEMPLATE.findall(path.read_text()):
            match = _DEFINITION.search(text)
            if match:
                found[match.group(2)] = text.strip()
    return found


def web_operation(name: str) -> str:
    """Operation `name` of the web app with the fragments it spreads."""
    documents = _documents()
    if name not in documents:
        raise LookupError(f"operation {name} is not defined in web/src")
    parts = [documents[name]]
    seen: set[str] = set()
    pending = _SPREAD.findall(documents[name])
    while pending:
        fragment = pending.pop()
        if fragment in seen:
            continue
        seen.add(fragment)
        parts.append(documents[fragment])
        pending += _SPREAD.findall(documents[fragment])
    return "\n\n".join(parts) + "\n"
