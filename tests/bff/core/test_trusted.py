"""Manifests of trusted documents: the shapes loaded, and a manifest that lies refused at start."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bff.core.limits import Refusal
from bff.core.trusted import ManifestError, OperationPolicy, TrustedDocuments, document_id

ME = "query Me { viewer { role } }"
THEM = "query Them { viewer { user { name } } }"


def test_ids_are_the_sha256_of_the_text() -> None:
    assert document_id(ME) == "sha256:" + __import__("hashlib").sha256(ME.encode()).hexdigest()
    trusted = TrustedDocuments({document_id(ME): ME})
    assert trusted.get(document_id(ME)) == ME
    assert trusted.get(document_id(ME)[7:]) == ME  # Apollo's bare hex
    assert trusted.get(document_id(ME).upper().replace("SHA256:", "sha256:")) == ME
    assert trusted.get("sha256:nothex") is None and trusted.get("") is None
    assert trusted.trusts(ME) and not trusted.trusts(ME + " ")


def test_codegen_and_apollo_manifests_from_files_and_directories(tmp_path: Path) -> None:
    (tmp_path / "web.json").write_text(json.dumps({document_id(ME): ME}))
    apps = tmp_path / "apps"
    apps.mkdir()
    (apps / "android.json").write_text(
        json.dumps(
            {
                "format": "apollo-persisted-query-manifest",
                "version": 1,
                "operations": [{"id": document_id(THEM)[7:], "name": "Them", "type": "query", "body": THEM}],
            }
        )
    )
    (apps / "README.txt").write_text("not a manifest")
    trusted = TrustedDocuments.load([tmp_path / "web.json", apps])
    assert len(trusted) == 2
    assert trusted.trusts(ME) and trusted.trusts(THEM)


@pytest.mark.parametrize(
    "content",
    [
        {document_id(ME): THEM},  # an id that is not its text's
        {"sha256:abc": ME},
        {document_id(ME): 1},
        [ME],
        {"operations": [{"id": document_id(ME)[7:], "body": THEM}]},
    ],
)
def test_a_manifest_that_lies_or_is_malformed_stops_the_start(tmp_path: Path, content: object) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(content))
    with pytest.raises(ManifestError, match=r"bad\.json"):
        TrustedDocuments.load([path])


def test_a_missing_or_unreadable_manifest_stops_the_start(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match="does not exist"):
        TrustedDocuments.load([tmp_path / "typo.json"])
    (tmp_path / "broken.json").write_text("{")
    with pytest.raises(ManifestError, match="cannot read"):
        TrustedDocuments.load([tmp_path / "broken.json"])


def test_the_policy_resolves_ids_and_refuses_what_it_does_not_trust() -> None:
    trusted = TrustedDocuments({document_id(ME): ME})
    closed = OperationPolicy(trusted, arbitrary=False)
    assert closed.document({"documentId": document_id(ME)}) == ME
    assert closed.document({"query": ME}) == ME
    with pytest.raises(Refusal) as refused:
        closed.document({"query": THEM})
    assert refused.value.code == "OPERATION_NOT_ALLOWED" and refused.value.status == 400
    with pytest.raises(Refusal) as refused:
        closed.document({"documentId": document_id(THEM), "query": THEM})
    assert refused.value.code == "PERSISTED_DOCUMENT_NOT_FOUND"
    # Not a string: left to the caller's own check of `query`.
    assert closed.document({"query": 3}) == 3
    open_ = OperationPolicy(trusted, arbitrary=True, cost_limit=10)
    assert open_.document({"documentId": document_id(THEM), "query": THEM}) == THEM
    assert open_.costed(THEM) and not open_.costed(ME)
    assert not OperationPolicy(trusted, arbitrary=True).costed(THEM)
