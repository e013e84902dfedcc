"""Checking a partial answer against the full one: what one failed backend may take away, and nothing more.

`compare(full, partial, backend)` walks the answer given with every backend up and the one given with
`backend` down, and returns the paths of the fields that failed. It fails the test when anything
else differs: a value that changed instead of turning null, a field that turned null without a coded error
at its path, an error that is not BACKEND_UNAVAILABLE naming `backend`, or an error at a path that is not
null (an error must sit exactly where the data is missing, never on a parent that still resolved).
"""

from __future__ import annotations

from typing import Any

Path = tuple[str | int, ...]

RESIDENTIAL = "ana@lima.example"
ENTERPRISE = "it@northwind.example"
SITE = "airport@northwind.example"

DASHBOARD_OPERATIONS: dict[str, dict[str, Any]] = {
    "Viewer": {},
    "DashboardPage": {"first": 24, "after": None, "kind": None, "status": None},
}

# What each backend takes away from the web's dashboard operations, by field name.
LOST = {
    "aaa": {"status", "statusReason", "statusSince", "profile", "liveSession"},
    "oss": {"devices", "serviceIncidents"},
    "billing": {"financialSummary", "declinedInvoices", "billing", "expiresAt"},
    # Only the subscriber's kind is the CRM's alone: the sub-services are listed from Billing (which bills
    # each of them under the CRM's id, label, kind and location, `schema.core.inventory`), and the account
    # number and the holder's name are on Billing's account too.
    "crm": {"kind", "locale"},  # the portal then follows the browser's language
}
# A SITE user's figures are over their sites, which the token names: the same as anyone's.
LOST_FOR_SITE = LOST


def lost(backend: str, email: str) -> set[str]:
    """The fields of the dashboard operations that `backend` down takes away from the user `email`."""
    return (LOST_FOR_SITE if email == SITE else LOST)[backend]


def error_paths(payload: dict[str, Any], backend: str) -> set[Path]:
    paths: set[Path] = set()
    for error in payload.get("errors", []):
        extensions = error.get("extensions") or {}
        assert extensions.get("code") == "BACKEND_UNAVAILABLE", error
        assert extensions.get("backend") == backend, error
        assert error.get("path"), f"an outage must be reported at a path: {error}"
        paths.add(tuple(error["path"]))
    return paths


def _at(data: Any, path: Path) -> Any:
    for step in path:
        data = data[step]
    return data


# Values that change from one request to the next whatever fails: signed links carry their expiry to the
# second, and a live session's byte counters grow. Compared for presence, not value.
VOLATILE = frozenset(
    {"pdfUrl", "receiptUrl", "consolidatedStatement", "url", "expiresAt", "bytesIn", "bytesOut"}
)


def _walk(full: Any, partial: Any, path: Path, out: list[Path]) -> None:
    if partial is None and full is not None:
        out.append(path)
        return
    if path and path[-1] in VOLATILE:
        return
    if isinstance(full, dict):
        assert isinstance(partial, dict) and partial.keys() == full.keys(), (path, partial)
        for key in full:
            _walk(full[key], partial[key], (*path, key), out)
    elif isinstance(full, list):
        assert isinstance(partial, list) and len(partial) == len(full), (path, partial)
        for i, (a, b) in enumerate(zip(full, partial, strict=True)):
            _walk(a, b, (*path, i), out)
    else:
        assert partial == full, f"{path}: {partial!r} != {full!r} (a value changed instead of failing)"


def compare(full: dict[str, Any], partial: dict[str, Any], backend: str) -> set[Path]:
    """The paths of `partial`'s errors, each null (also where `full` had null: a status reason of an ACTIVE
    service is null anyway, but AAA could not say so); asserts the rest equals `full`."""
    assert "errors" not in full, full["errors"]
    lost: list[Path] = []
    _walk(full["data"], partial["data"], (), lost)
    errors = error_paths(partial, backend)
    assert set(lost) <= errors, f"null without an error at its path: {set(lost) - errors}"
    for path in errors:
        assert _at(partial["data"], path) is None, f"an error at {path}, which resolved"
    return errors


def field_names(paths: set[Path]) -> set[str]:
    """The names of the fields at `paths` (the last name of each path), e.g. {"status", "billing"}."""
    return {str(next(step for step in reversed(p) if isinstance(step, str))) for p in paths}
