"""`wispgate serve`, except that the process kills itself with SIGKILL right after one named settlement step.

    python -m tests.bff.core.payments.crashing_serve <step> serve --port N

`<step>` is one of `bff.core.payments.effects.STEPS`. The kill comes from inside, at an exact point between
two side effects, and is the real thing (`kill -9`): no `finally`, no lifespan shutdown, no lease release,
no answer to the gateway. Production has the same seam (`Settlement(after_step=…)`) with nothing in it.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Sequence

import bff.server.app as app_module
from bff.core.backends import Backends
from bff.core.bus import EventBus
from bff.core.payments.effects import STEPS, AfterStep, carry_on
from bff.core.payments.settlement import Settlement
from bff.server.cli import main


def kill_after(step: str) -> AfterStep:
    def after_step(done: str) -> None:
        if done == step:
            os.kill(os.getpid(), signal.SIGKILL)

    return after_step


def run(step: str, argv: Sequence[str]) -> int:
    if step not in STEPS:
        raise SystemExit(f"crashing_serve: no step {step!r}; one of {', '.join(STEPS)}")
    after = kill_after(step)

    class CrashingSettlement(Settlement):
        def __init__(self, backends: Backends, bus: EventBus, *, after_step: AfterStep = carry_on) -> None:
            super().__init__(backends, bus, after_step=after)

    # The composition root builds its Settlement by this name when the app starts (`inbound_endpoints`).
    app_module.Settlement = CrashingSettlement  # type: ignore[attr-defined]
    return main(argv)


if __name__ == "__main__":
    raise SystemExit(run(sys.argv[1], sys.argv[2:]))
