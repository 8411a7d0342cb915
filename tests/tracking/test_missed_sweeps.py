"""When no sweep ran for a while (a worker down over a holiday), the next one raises what is still useful:
a reminder whose moment passed is sent late if the clock is still running, skipped if it is already overdue;
the escalation is never skipped."""

import pytest

from services.issues.models import AlertKind
from services.issues.tracking import sweep_clocks
from tests.issues.state import shanghai
from tests.tracking.timeline import alerts_of, events_of, kinds_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def answer(hand_made_clock):
    """Due Friday 27 February 2026; reminders at 09:00 on the 25th and the 27th."""
    return hand_made_clock(start=shanghai(2026, 2, 13, 10), working_days=5)


def test_a_reminder_missed_by_the_sweeps_goes_out_late_while_the_clock_still_runs(answer):
    sweep_clocks(now=shanghai(2026, 2, 26, 15, 0))

    assert alerts_of(answer) == [(AlertKind.REMIND, shanghai(2026, 2, 25, 9, 0))]


def test_no_stale_reminder_is_sent_once_the_clock_is_overdue(answer):
    sweep_clocks(now=shanghai(2026, 2, 28, 10, 0))

    assert [event.kind for event in events_of(answer)] == ["escalate"]


def test_the_escalation_is_still_raised_after_the_missed_reminders(answer):
    sweep_clocks(now=shanghai(2026, 2, 28, 10, 0))

    assert kinds_of(answer) == [AlertKind.ESCALATE]


def test_the_skipped_reminders_do_not_come_back_at_a_later_sweep(answer):
    sweep_clocks(now=shanghai(2026, 2, 28, 10, 0))

    sweep_clocks(now=shanghai(2026, 2, 28, 11, 0))

    assert kinds_of(answer) == [AlertKind.ESCALATE]
