"""OSS against its own contract fragment, fuzzed by schemathesis (the lead runs the whole-sandbox version)."""

from __future__ import annotations

import copy
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import schemathesis
import yaml
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from adapters.wispgate import contract
from sandbox.common.system import SystemConfig
from sandbox.oss.system import OssSystem
from sandbox.world import demo_world

pytestmark = pytest.mark.contract

SYSTEM = "oss"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def fragment_contract(system: str) -> dict[str, Any]:
    """base.yaml plus this system's fragment and shared event routes, unprefixed (the app is mounted at /)."""
    raw: dict[str, Any] = yaml.safe_load((contract.FRAGMENTS / "base.yaml").read_text())
    fragment = yaml.safe_load((contract.FRAGMENTS / f"{system}.yaml").read_text())
    raw["servers"] = [{"url": f"http://{system}.test"}]
    raw["paths"] = {
        **fragment["paths"],
        **{p: contract._templated(copy.deepcopy(i), system) for p, i in contract._EVENT_PATHS.items()},
    }
    raw["components"]["schemas"].update(fragment["components"]["schemas"])
    return raw


_tmp = tempfile.TemporaryDirectory(prefix="oss-contract-")
_system = OssSystem(SystemConfig(db_path=str(Path(_tmp.name) / "oss.sqlite3")))
_system.seed(demo_world(date(2026, 11, 25)))
schema = schemathesis.openapi.from_dict(fragment_contract(SYSTEM))
schema.app = _system.asgi()


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_oss_conforms_to_contract(case: schemathesis.Case) -> None:
    case.call_and_validate(headers={"x-api-key": _system.config.operator_key}, checks=CHECKS)
