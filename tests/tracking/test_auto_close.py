"""Auto-close (DESIGN §3–§4): when the enterprise's rating window of three working days passes without a
rating, the problem closes as "unrated" — counted as unrated, never as satisfied."""

import pytest

from services.core import clock
from services.issues import actions
from services.issues.lifecycle import Status
from services.issues.models import AlertKind, ClosureKind, Satisfaction, Stage, StageClock
from services.issues.tracking import sweep_clocks
from tests.issues.state import end_of, shanghai
from tests.tracking.timeline import alerts_of

pytestmark = pytest.mark.django_db

# Answered on the eve of National Day 2025: the rating window is 9, 10 and 11 October (a make-up Saturday).
ANSWERED = shanghai(2025, 9, 30, 15)
WINDOW_CLOSED = shanghai(2025, 10, 12, 0, 0)


@pytest.fixture
def answered(build):
    with clock.travel_to(ANSWERED):
        issue = build.responded()
    assert StageClock.objects.get(issue=issue, stage=Stage.RATING).due_at == end_of(2025, 10, 11)
    return issue


def test_a_problem_not_rated_within_the_window_closes_as_unrated(answered):
    sweep_clocks(now=WINDOW_CLOSED)

    answered.refresh_from_db()
    assert (answered.status, answered.closure_kind, answered.satisfaction, answered.closed_at) == (
        Status.CLOSED,
        ClosureKind.UNRATED,
        "",
        WINDOW_CLOSED,
    )


def test_the_auto_close_is_recorded_as_an_alert_of_the_rating_clock(answered):
    sweep_clocks(now=WINDOW_CLOSED)

    rating = StageClock.objects.get(issue=answered, stage=Stage.RATING)
    assert alerts_of(rating) == [(AlertKind.AUTO_CLOSE, end_of(2025, 10, 11))]


def test_a_problem_stays_open_while_its_rating_window_runs(answered):
    # Not on the holiday, not on the make-up Saturday, not in the window's last second.
    for moment in (shanghai(2025, 10, 5, 12), shanghai(2025, 10, 11, 12), end_of(2025, 10, 11)):
        sweep_clocks(now=moment)

    answered.refresh_from_db()
    assert answered.status == Status.RESPONDED


def test_a_problem_rated_within_the_window_is_not_closed_as_unrated(answered, enterprise_user):
    with clock.travel_to(shanghai(2025, 10, 10, 10)):
        actions.evaluate_issue(
            issue=answered,
            actor=enterprise_user,
            satisfaction=Satisfaction.DISSATISFIED,
            was_contacted=True,
            was_solved=False,
            comment="推荐的人员不符合要求",
        )

    sweep_clocks(now=WINDOW_CLOSED)

    answered.refresh_from_db()
    assert (answered.status, answered.closure_kind, answered.alerts.count()) == (Status.UNDER_REVIEW, "", 0)


def test_a_sweep_in_the_last_second_of_the_window_does_not_keep_the_problem_open_for_ever(answered):
    sweep_clocks(now=end_of(2025, 10, 11))

    sweep_clocks(now=WINDOW_CLOSED)

    answered.refresh_from_db()
    assert (answered.status, answered.closure_kind) == (Status.CLOSED, ClosureKind.UNRATED)
