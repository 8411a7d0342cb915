"""Deadlines in a year the holiday package does not cover (issue #11, item 1).

chinese-calendar knows 2026 but not 2027: until an administrator enters 2027, its days are counted Monday to
Friday, so New Year's Day 2027 (a Friday) counts as a working day. Every deadline counted that way says so,
and moves, by an event, when the year is entered.
"""

import datetime as dt

import pytest

from services.core import clock
from services.issues.models import IssueEvent, Stage
from services.notifications.models import Notification
from services.workcalendar import actions as calendar_actions
from services.workcalendar.models import DayKind
from tests.issues.conftest import build
from tests.issues.state import end_of, running_clock, shanghai

__all__ = ["build"]

pytestmark = pytest.mark.django_db

DISPATCHED = shanghai(2026, 12, 28, 10)


@pytest.fixture
def issue(build):
    with clock.travel_to(DISPATCHED):
        return build.dispatched()


def enter_new_years_day_2027(administrator):
    with clock.travel_to(shanghai(2026, 12, 29, 9)):
        calendar_actions.set_override(
            actor=administrator, date=dt.date(2027, 1, 1), kind=DayKind.HOLIDAY, name="元旦"
        )


def test_an_answer_due_in_an_uncovered_year_says_it_assumed_monday_to_friday(issue, unit):
    answer = running_clock(issue, Stage.ANSWER, unit)

    assert (answer.due_at, answer.due_from_fallback) == (end_of(2027, 1, 4), True)


def test_a_deadline_inside_a_covered_year_does_not_carry_the_fallback_mark(issue, unit):
    sign = running_clock(issue, Stage.SIGN, unit)

    assert (sign.due_at, sign.due_from_fallback) == (end_of(2026, 12, 29), False)


def test_entering_a_holiday_moves_the_running_clocks_it_changes(issue, unit, administrator):
    enter_new_years_day_2027(administrator)

    assert running_clock(issue, Stage.ANSWER, unit).due_at == end_of(2027, 1, 5)


def test_each_moved_clock_is_recorded_with_its_old_and_new_due_time_and_the_reason(
    issue, unit, administrator
):
    enter_new_years_day_2027(administrator)

    event = IssueEvent.objects.get(issue=issue, kind="calendar_correction")
    answer = running_clock(issue, Stage.ANSWER, unit)
    assert (event.actor, event.data["clock"], event.data["old_due_at"], event.data["due_at"]) == (
        administrator,
        answer.pk,
        "2027-01-04T23:59:59+08:00",
        "2027-01-05T23:59:59+08:00",
    )
    assert "2027-01-01" in event.note


def test_a_clock_the_new_holiday_does_not_reach_is_left_alone(issue, unit, administrator):
    enter_new_years_day_2027(administrator)

    moved = IssueEvent.objects.filter(issue=issue, kind="calendar_correction").values_list("data", flat=True)
    assert [data["stage"] for data in moved] == [Stage.ANSWER]
    assert running_clock(issue, Stage.SIGN, unit).due_at == end_of(2026, 12, 29)


def test_entering_the_whole_year_clears_the_fallback_mark(issue, unit, administrator):
    enter_new_years_day_2027(administrator)
    with clock.travel_to(shanghai(2026, 12, 29, 10)):
        calendar_actions.record_year(
            actor=administrator, year=2027, notice="国务院办公厅关于2027年部分节假日安排的通知"
        )

    assert running_clock(issue, Stage.ANSWER, unit).due_from_fallback is False


def test_the_unit_is_told_when_its_due_time_moves(
    issue, unit, handler, administrator, django_capture_on_commit_callbacks
):
    from services.issues.notify import deliver_events

    with django_capture_on_commit_callbacks(execute=False):
        enter_new_years_day_2027(administrator)
    deliver_events(list(IssueEvent.objects.filter(kind="calendar_correction").values_list("pk", flat=True)))

    assert Notification.objects.filter(recipient=handler, kind="calendar_correction").count() == 1


# ---------------------------------------------------------------- the December reminder


def test_in_december_administrators_are_asked_to_enter_next_year(administrator):
    told = calendar_actions.remind_to_enter_next_year(today=dt.date(2026, 12, 1))

    assert told == 1
    assert Notification.objects.get(recipient=administrator).title == "请录入2027年的法定节假日安排"


def test_the_december_reminder_is_sent_once_however_often_it_runs(administrator):
    calendar_actions.remind_to_enter_next_year(today=dt.date(2026, 12, 1))
    calendar_actions.remind_to_enter_next_year(today=dt.date(2026, 12, 2))

    assert Notification.objects.filter(recipient=administrator).count() == 1


def test_no_reminder_before_december(administrator):
    assert calendar_actions.remind_to_enter_next_year(today=dt.date(2026, 11, 30)) == 0


def test_no_reminder_once_next_year_is_entered(administrator):
    calendar_actions.record_year(actor=administrator, year=2027)

    assert calendar_actions.remind_to_enter_next_year(today=dt.date(2026, 12, 1)) == 0
