"""The sandbox template: the demo world seeded once per session into a directory, copied for every test.

Seeding the five systems (Billing, CRM, AAA, OSS, the gateway) takes most of a second; copying their SQLite
files and opening them takes a few milliseconds. So every test gets a sandbox of its own and may change
anything in it (pay an invoice, disable a user) without a word to any other test, and no test has to promise
that it "only reads".
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sandbox.app import Sandbox, build_sandbox
from sandbox.settings import SandboxSettings


@dataclass(frozen=True)
class SandboxTemplate:
    """A seeded sandbox data directory that is never opened again, only copied."""

    path: Path
    today: date
    bench_subservices: int = 0

    @classmethod
    def seed(cls, path: Path, today: date, bench_subservices: int = 0) -> SandboxTemplate:
        """Seed the demo world (plus a bench subscriber with `bench_subservices` sub-services) into `path`."""
        built = build_sandbox(
            SandboxSettings(data_dir=path, today=today, bench_subservices=bench_subservices)
        )
        built.close()
        return cls(path, today, bench_subservices)

    def copy(self, into: Path, **settings: Any) -> Sandbox:
        """A sandbox over a fresh copy of the template at `into` (which must not exist yet). `settings` are
        further `SandboxSettings` fields (a service key, where events go); the seed stays the template's.
        The caller closes it."""
        shutil.copytree(self.path, into)
        return build_sandbox(
            SandboxSettings(
                data_dir=into, today=self.today, bench_subservices=self.bench_subservices, **settings
            )
        )
