"""Hand-made clocks on real holiday dates, and the people who hear of them.

A test states when a clock started and how long it runs; the due time is counted by the work calendar, so
the holidays and make-up days are the State Council's. Sweeps are run at chosen moments with
``sweep_clocks(now=...)``.
"""

import datetime as dt

import pytest

from services.core import clock
from services.issues.models import Issue, IssuePolicy, Stage, StageClock
from services.issues.tracking import schedule_clock
from services.workcalendar.calendar import due_at
from tests.issues.conftest import build, nothing_changes, second_dispatcher
from tests.issues.state import shanghai

__all__ = ["build", "nothing_changes", "second_dispatcher"]

LONG_AGO = shanghai(2025, 9, 1, 10)


@pytest.fixture
def issue(build):
    """A problem in the lead unit's hands, whose own clocks were stopped long ago: only the clocks a test
    makes by hand are ticking."""
    with clock.travel_to(LONG_AGO):
        issue = build.handling()
    StageClock.objects.filter(issue=issue).update(stopped_at=LONG_AGO)
    return issue


@pytest.fixture
def hand_made_clock(issue, unit):
    """``hand_made_clock(start=..., working_days=5)`` or ``(start=..., hours=2)``: a running clock of the
    issue, due when the calendar says, with its first alert scheduled as an action would."""

    def make(
        *,
        start: dt.datetime,
        working_days: int | None = None,
        hours: int | None = None,
        stage: str = Stage.ANSWER,
        for_unit=unit,
    ) -> StageClock:
        due = start + dt.timedelta(hours=hours) if hours is not None else due_at(start, working_days)
        stage_clock = StageClock(
            issue=issue,
            unit=None if stage == Stage.ACCEPT else for_unit,
            stage=stage,
            started_at=start,
            due_at=due,
            original_due_at=due,
            counts_hours=hours is not None,
        )
        schedule_clock(stage_clock)
        stage_clock.save(force_insert=True)
        return stage_clock

    return make


@pytest.fixture
def open_clocks(enterprise_user, category, unit):
    """``open_clocks(count, start=..., working_days=5)``: that many problems, each with one running answer
    clock for the unit, written in bulk (the sweep's cost tests need hundreds)."""
    made = [0]

    def make(count: int, *, start: dt.datetime, working_days: int = 5) -> list[StageClock]:
        policy = IssuePolicy.current()
        first = made[0]
        made[0] += count
        issues = Issue.objects.bulk_create(
            Issue(
                number=f"JJT-{n:05d}",
                title="厂区道路积水，影响货车进出",
                description="雨季厂区门口道路积水严重。",
                enterprise=enterprise_user.enterprise,
                category=category,
                filed_by=enterprise_user,
                lead_unit=unit,
                status="handling",
                created_at=start,
            )
            for n in range(first, first + count)
        )
        due = due_at(start, working_days)
        clocks = []
        for each in issues:
            stage_clock = StageClock(
                issue=each,
                unit=unit,
                stage=Stage.ANSWER,
                started_at=start,
                due_at=due,
                original_due_at=due,
            )
            schedule_clock(stage_clock, policy)
            clocks.append(stage_clock)
        return StageClock.objects.bulk_create(clocks)

    return make
