"""When reminders go out (DESIGN §4): at 80% of the time, and at nine on the last working day, in working hours
only; urgent clocks count hours on the clock and remind at night too. Clocks are made by hand on real
holiday dates (see test_calendar_facts)."""

import datetime as dt

import pytest

from services.issues.models import AlertKind, Stage
from services.issues.tracking import sweep_clocks
from services.workcalendar.actions import set_override
from services.workcalendar.models import DayKind
from tests.factories import AdminFactory
from tests.issues.state import end_of, shanghai
from tests.tracking.timeline import alerts_of, kinds_of

pytestmark = pytest.mark.django_db


def test_a_reminder_that_falls_at_night_goes_out_at_nine_the_next_working_morning(hand_made_clock):
    # Five working days from the Friday before Spring Festival: 14 Feb (make-up Saturday), 24–27 Feb.
    answer = hand_made_clock(start=shanghai(2026, 2, 13, 10), working_days=5)
    assert answer.due_at == end_of(2026, 2, 27)

    # 80% of the time is used at 01:59 on Wednesday 25 February.
    sweep_clocks(now=shanghai(2026, 2, 25, 2, 0))
    sweep_clocks(now=shanghai(2026, 2, 25, 8, 59))
    assert alerts_of(answer) == []

    sweep_clocks(now=shanghai(2026, 2, 25, 9, 0))
    assert alerts_of(answer) == [(AlertKind.REMIND, shanghai(2026, 2, 25, 9, 0))]


def test_a_reminder_that_falls_on_a_holiday_goes_out_on_the_first_working_day_after_it(hand_made_clock):
    # Five working days from Friday 26 September 2025: 28 Sep (make-up Sunday), 29, 30 Sep, 9, 10 Oct.
    answer = hand_made_clock(start=shanghai(2025, 9, 26, 10), working_days=5)
    assert answer.due_at == end_of(2025, 10, 10)

    # 80% of the time is used at 01:59 on 8 October, the last day of the National Day holiday.
    sweep_clocks(now=shanghai(2025, 10, 8, 10, 0))
    sweep_clocks(now=shanghai(2025, 10, 9, 8, 59))
    assert alerts_of(answer) == []

    sweep_clocks(now=shanghai(2025, 10, 9, 9, 0))
    assert alerts_of(answer) == [(AlertKind.REMIND, shanghai(2025, 10, 9, 9, 0))]


def test_a_make_up_saturday_counts_as_a_working_morning_for_a_reminder(hand_made_clock):
    # Filed on a Spring Festival Sunday evening; five working days are 24–28 Feb, the 28th a make-up Saturday.
    answer = hand_made_clock(start=shanghai(2026, 2, 22, 20), working_days=5)
    assert answer.due_at == end_of(2026, 2, 28)

    # 80% of the time is used at 18:23 on Friday 27 February, after working hours.
    sweep_clocks(now=shanghai(2026, 2, 27, 18, 30))
    assert alerts_of(answer) == []

    sweep_clocks(now=shanghai(2026, 2, 28, 9, 0))
    assert alerts_of(answer) == [(AlertKind.REMIND, shanghai(2026, 2, 28, 9, 0))]


def test_the_last_working_day_reminder_goes_out_at_nine_on_the_due_day(hand_made_clock):
    answer = hand_made_clock(start=shanghai(2026, 2, 13, 10), working_days=5)  # due Friday 27 February

    sweep_clocks(now=shanghai(2026, 2, 27, 8, 59))
    assert AlertKind.REMIND_LAST_DAY not in kinds_of(answer)

    sweep_clocks(now=shanghai(2026, 2, 27, 9, 0))
    assert alerts_of(answer)[-1] == (AlertKind.REMIND_LAST_DAY, shanghai(2026, 2, 27, 9, 0))


def test_the_last_working_day_reminder_comes_on_a_make_up_sunday(hand_made_clock):
    # One working day from Friday 26 September 2025 is Sunday the 28th, a make-up working day.
    sign = hand_made_clock(start=shanghai(2025, 9, 26, 10), working_days=1, stage=Stage.SIGN)
    assert sign.due_at == end_of(2025, 9, 28)

    sweep_clocks(now=shanghai(2025, 9, 28, 9, 0))

    assert alerts_of(sign) == [(AlertKind.REMIND_LAST_DAY, shanghai(2025, 9, 28, 9, 0))]


def test_no_last_day_reminder_when_the_due_day_is_no_longer_a_working_day(hand_made_clock):
    # A complex problem: fifteen working days from Monday 2 March 2026, due Monday 23 March.
    answer = hand_made_clock(start=shanghai(2026, 3, 2, 10), working_days=15)
    assert answer.due_at == end_of(2026, 3, 23)
    # Afterwards an administrator declares the 23rd a day off (the clock keeps its due time).
    set_override(actor=AdminFactory(), date=dt.date(2026, 3, 23), kind=DayKind.HOLIDAY, name="临时休息")

    sweep_clocks(now=shanghai(2026, 3, 23, 9, 0))
    sweep_clocks(now=shanghai(2026, 3, 23, 12, 0))

    # The 80% reminder (Thursday 19 March) went out; no reminder on the morning of the day off.
    assert kinds_of(answer) == [AlertKind.REMIND]


def test_an_urgent_clock_reminds_at_80_percent_of_its_hours_even_at_night(hand_made_clock):
    # An urgent problem signed for within two hours, on the evening of National Day.
    sign = hand_made_clock(start=shanghai(2025, 10, 1, 20), hours=2, stage=Stage.SIGN)

    sweep_clocks(now=shanghai(2025, 10, 1, 21, 35))
    assert alerts_of(sign) == []

    sweep_clocks(now=shanghai(2025, 10, 1, 21, 36))
    assert alerts_of(sign) == [(AlertKind.REMIND, shanghai(2025, 10, 1, 21, 36))]


def test_an_urgent_clock_is_escalated_once_its_hours_are_up_even_at_night(hand_made_clock):
    sign = hand_made_clock(start=shanghai(2025, 10, 1, 20), hours=2, stage=Stage.SIGN)

    sweep_clocks(now=shanghai(2025, 10, 1, 22, 0, 1))

    assert alerts_of(sign) == [(AlertKind.ESCALATE, shanghai(2025, 10, 1, 22, 0))]


def test_an_urgent_clock_has_no_morning_reminder_on_its_last_day(hand_made_clock):
    # 48 hours from Monday 2 March 2026 20:00: due Wednesday 20:00; 80% is Wednesday 10:24.
    answer = hand_made_clock(start=shanghai(2026, 3, 2, 20), hours=48)

    sweep_clocks(now=shanghai(2026, 3, 4, 9, 30))

    assert alerts_of(answer) == []
