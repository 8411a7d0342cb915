"""Bookkeeping for periodic sweeps, so operators can see when each last ran and what it found."""

import time
from collections.abc import Iterator
from contextlib import contextmanager

from services.core import clock
from services.core.models import SweepRun


@contextmanager
def recorded(name: str) -> Iterator[SweepRun]:
    run = SweepRun(name=name, started_at=clock.now())
    started = time.monotonic()
    try:
        yield run
    except Exception as error:
        run.error = repr(error)[:2000]
        raise
    finally:
        run.finished_at = clock.now()
        run.duration_ms = int((time.monotonic() - started) * 1000)
        run.save()
