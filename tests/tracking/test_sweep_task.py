"""The periodic task records each run, so the operations page can show when a sweep last ran, how long it
took, how many clocks it found and how many alerts it raised."""

import pytest

from services.core import clock
from services.core.models import SweepRun
from services.issues.tasks import sweep_clocks_task
from tests.issues.state import shanghai

pytestmark = pytest.mark.django_db

SWEEP = shanghai(2026, 3, 3, 12)  # after both escalation levels of clocks started on 13 February


def test_the_sweep_task_records_what_it_found_and_what_it_raised(open_clocks):
    open_clocks(3, start=shanghai(2026, 2, 13, 10))
    open_clocks(5, start=shanghai(2026, 3, 2, 10))  # not due yet

    with clock.travel_to(SWEEP):
        sweep_clocks_task()

    run = SweepRun.objects.get()
    assert (run.name, run.started_at, run.finished_at, run.found, run.processed, run.error) == (
        "issues.sweep_clocks",
        SWEEP,
        SWEEP,
        3,
        6,  # two escalation levels for each of the three clocks
        "",
    )


def test_the_sweep_task_records_how_long_it_took(monkeypatch):
    readings = iter([1000.0, 1000.25])  # the monotonic clock when the run starts and when it ends
    monkeypatch.setattr("services.core.sweeps.time.monotonic", lambda: next(readings))

    with clock.travel_to(SWEEP):
        sweep_clocks_task()

    assert SweepRun.objects.get().duration_ms == 250


def test_a_sweep_that_fails_records_its_error(monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr("services.issues.tasks.sweep_clocks", broken)

    with clock.travel_to(SWEEP), pytest.raises(RuntimeError):
        sweep_clocks_task()

    assert SweepRun.objects.get().error == "RuntimeError('database went away')"
