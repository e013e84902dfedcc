"""Trusted documents: in production the portal runs only the operations its own apps were built with.

The web portal's operations are collected at build time (graphql-codegen's persisted documents, written to
`schema/trusted-documents.json`); a mobile app ships its own manifest, loaded from `TRUSTED_DOCUMENTS`. A
client names a document by its id instead of sending its text:
- `{"documentId": "sha256:<hex>"}` (GraphQL over HTTP, persisted documents), or
- `{"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "<hex>"}}}` (Apollo's clients, urql),
where the hash is the SHA-256 of the document's text as the manifest holds it. A document sent as text is run
only if that exact text is in a manifest.

Why: with arbitrary operations refused, nobody can probe the schema field by field, craft an expensive query
or use a field the apps never ask for; an operator who opens the API (`ALLOW_ARBITRARY_OPERATIONS=true`) gets
a query cost limit instead (`schema.core.cost`). The lookup is a hash and a dict: it happens before anything
is parsed.

Manifests are JSON files: `{"sha256:<hex>": "<document>", ...}` (graphql-codegen's `persisted-documents.json`,
keys with or without the `sha256:` prefix) or Apollo's persisted query manifest (`{"format":
"apollo-persisted-query-manifest", "operations": [{"id", "body", ...}]}`). Every id is checked against its text
when the file is loaded: a manifest that lies stops the start, naming the file.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from bff.core.limits import Refusal, RequestCode

PREFIX = "sha256:"
_HEX = re.compile(r"[0-9a-f]{64}")


class ManifestError(ValueError):
    """A manifest that cannot be trusted: unreadable, not JSON of a known shape, or an id that is not the
    SHA-256 of its document."""


def document_id(text: str) -> str:
    """The id of a document text: `sha256:` and the hex SHA-256 of its UTF-8 bytes."""
    return PREFIX + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _hex_of(identifier: str) -> str | None:
    """The hex digest an id names (with or without the prefix, any case), or None when it names none."""
    raw = identifier[len(PREFIX) :] if identifier[: len(PREFIX)].lower() == PREFIX else identifier
    raw = raw.lower()
    return raw if _HEX.fullmatch(raw) else None


class TrustedDocuments:
    """The documents of every loaded manifest, by the hex SHA-256 of their text."""

    def __init__(self, documents: Mapping[str, str] | None = None) -> None:
        self._by_hash: dict[str, str] = {}
        for identifier, text in (documents or {}).items():
            self._add(identifier, text, "<memory>")

    @classmethod
    def load(cls, paths: Iterable[Path]) -> TrustedDocuments:
        """Every manifest of `paths`: files, or directories whose `*.json` files are manifests. A path that
        does not exist is an error (a typo must not silently turn a mobile app away)."""
        trusted = cls()
        for path in paths:
            if path.is_dir():
                for file in sorted(path.glob("*.json")):
                    trusted._load_file(file)
            elif path.is_file():
                trusted._load_file(path)
            else:
                raise ManifestError(f"trusted documents: {path} does not exist")
        return trusted

    def __len__(self) -> int:
        return len(self._by_hash)

    def get(self, identifier: str) -> str | None:
        """The document an id names (`sha256:<hex>` or the bare hex), or None."""
        digest = _hex_of(identifier)
        return self._by_hash.get(digest) if digest is not None else None

    def trusts(self, text: str) -> bool:
        """Is this exact text one of the documents?"""
        return document_id(text)[len(PREFIX) :] in self._by_hash

    def documents(self) -> dict[str, str]:
        """`{"sha256:<hex>": text}` of every document (tests, `wispgate` tooling)."""
        return {PREFIX + digest: text for digest, text in self._by_hash.items()}

    def _load_file(self, path: Path) -> None:
        try:
            content = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ManifestError(f"trusted documents: cannot read {path}: {exc}") from None
        if isinstance(content, dict) and isinstance(content.get("operations"), list):
            # Apollo's persisted query manifest.
            for operation in content["operations"]:
                if not isinstance(operation, dict):
                    raise ManifestError(f"trusted documents: {path}: an operation is not an object")
                self._add(operation.get("id"), operation.get("body"), str(path))
        elif isinstance(content, dict):
            for identifier, text in content.items():
                self._add(identifier, text, str(path))
        else:
            raise ManifestError(f"trusted documents: {path} is not a JSON object of documents")

    def _add(self, identifier: object, text: object, source: str) -> None:
        if not isinstance(identifier, str) or not isinstance(text, str):
            raise ManifestError(f"trusted documents: {source}: ids and documents must be strings")
        digest = _hex_of(identifier)
        if digest is None or PREFIX + digest != document_id(text):
            raise ManifestError(
                f"trusted documents: {source}: {identifier[:80]!r} is not the SHA-256 of its document"
            )
        self._by_hash[digest] = text


@dataclass(frozen=True, slots=True)
class OperationPolicy:
    """Which documents a request may run. `arbitrary`: documents outside the manifests too (development, or an
    operator who opened the API); `cost_limit` (0: none) then bounds those documents' estimated cost."""

    documents: TrustedDocuments
    arbitrary: bool = True
    cost_limit: int = 0

    def document(self, payload: Mapping[str, object]) -> object:
        """The document text a GraphQL-over-HTTP payload (or a WebSocket `subscribe` payload) asks to run,
        its id looked up; the payload's `query` as it is when it names no id (the caller checks its type).
        Raises `Refusal`: PERSISTED_DOCUMENT_NOT_FOUND, OPERATION_NOT_ALLOWED, BAD_REQUEST."""
        query = payload.get("query")
        identifier = self._identifier(payload)
        if identifier is not None:
            text = self.documents.get(identifier)
            if text is not None:
                return text
            if self.arbitrary and isinstance(query, str) and query.strip():
                return query  # an id we do not know, with the text: an open API runs the text
            raise Refusal(
                400,
                RequestCode.PERSISTED_DOCUMENT_NOT_FOUND,
                "No trusted document has this id: the app is newer or older than this server.",
            )
        if not self.arbitrary and isinstance(query, str) and not self.may_run(query):
            raise Refusal(
                400,
                RequestCode.OPERATION_NOT_ALLOWED,
                "This server runs only the operations of its own apps (trusted documents): send the "
                "document's id (`documentId`), not its text.",
            )
        return query

    def may_run(self, text: str) -> bool:
        return self.arbitrary or self.documents.trusts(text)

    def costed(self, text: str) -> bool:
        """Is this document's cost to be checked? Only documents outside the manifests, and only with a limit."""
        return self.cost_limit > 0 and not self.documents.trusts(text)

    @staticmethod
    def _identifier(payload: Mapping[str, object]) -> str | None:
        document_id_ = payload.get("documentId")
        if document_id_ is not None:
            if not isinstance(document_id_, str):
                raise Refusal(400, RequestCode.BAD_REQUEST, "`documentId` must be a string.")
            return document_id_
        extensions = payload.get("extensions")
        persisted = extensions.get("persistedQuery") if isinstance(extensions, dict) else None
        if persisted is None:
            return None
        digest = persisted.get("sha256Hash") if isinstance(persisted, dict) else None
        if not isinstance(digest, str):
            raise Refusal(
                400,
                RequestCode.BAD_REQUEST,
                "`extensions.persistedQuery` must be an object with the document's `sha256Hash`.",
            )
        return digest
