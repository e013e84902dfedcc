"""Fixtures the CRM test modules share: a seeded database made once per module (password hashing is
deliberately slow) and copied for each test, the system on it, and an HTTP client with the service key.
A module chooses what is seeded by defining a `crm_world` fixture (default: the demo world)."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from sandbox.crm.system import CrmSystem
from sandbox.world import World
from tests.sandbox.crm.support import SERVICE_KEY, crm_config


@pytest.fixture(scope="module")
def crm_world(world: World) -> World:
    return world


@pytest.fixture(scope="module")
def crm_template(tmp_path_factory: pytest.TempPathFactory, crm_world: World) -> Path:
    path = tmp_path_factory.mktemp("crm-template") / "crm.sqlite3"
    system = CrmSystem(crm_config(path), attachments_dir=path.parent / "files")
    system.seed(crm_world)
    system.db.close()
    return path


@pytest.fixture
def crm(crm_template: Path, tmp_path: Path) -> Iterator[CrmSystem]:
    path = tmp_path / "crm.sqlite3"
    shutil.copy(crm_template, path)
    system = CrmSystem(crm_config(path), attachments_dir=tmp_path / "files")
    yield system
    system.db.close()


@pytest.fixture
async def client(crm: CrmSystem) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=crm.asgi())
    async with httpx.AsyncClient(
        transport=transport, base_url="http://crm.test", headers={"x-api-key": SERVICE_KEY}
    ) as http:
        yield http
