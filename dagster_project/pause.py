"""A test hook: stop a run at a named stage, so the kill -9 tests can kill it there."""
from __future__ import annotations

import os
import time

from .settings import home


def pause_point(stage: str) -> None:
    """For the kill -9 tests: with SVCINDEX_PAUSE_AT=<stage>, the run stops here (writing
    <home>/paused.<stage>) until it is killed, so a test can kill it at a chosen point instead
    of racing a short window. Without the variable it does nothing."""
    if os.environ.get("SVCINDEX_PAUSE_AT") != stage:
        return
    (home().root / f"paused.{stage}").write_text(str(os.getpid()))
    while True:
        time.sleep(1)
