"""What the CRM test modules share besides fixtures: the keys and the system configuration."""

from __future__ import annotations

from pathlib import Path

from sandbox.common.system import SystemConfig

SERVICE_KEY = "crm-service-key"
OPERATOR_KEY = "crm-operator-key"
OPS = {"x-api-key": OPERATOR_KEY}


def crm_config(path: Path) -> SystemConfig:
    return SystemConfig(db_path=str(path), service_key=SERVICE_KEY, operator_key=OPERATOR_KEY)
