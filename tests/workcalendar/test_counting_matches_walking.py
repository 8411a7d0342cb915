"""Counting working days between two dates agrees with asking about each day in turn, across the years the
package knows and the years it does not, with administrators' overrides in both."""

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.workcalendar.calendar import day_info, working_days_between
from services.workcalendar.models import CalendarOverride, DayKind

pytestmark = pytest.mark.django_db

OVERRIDES = [
    (date(2026, 12, 30), DayKind.HOLIDAY),  # a package working day, Wednesday
    (date(2027, 1, 1), DayKind.HOLIDAY),  # a fallback working day, Friday
    (date(2027, 1, 9), DayKind.WORKDAY),  # a fallback weekend day, Saturday
    (date(2003, 12, 27), DayKind.WORKDAY),  # a fallback weekend day, Saturday
    (date(2004, 1, 1), DayKind.WORKDAY),  # a package holiday
]


@pytest.fixture
def overrides(db):
    CalendarOverride.objects.bulk_create(CalendarOverride(date=day, kind=kind) for day, kind in OVERRIDES)


def test_a_count_across_new_year_from_a_known_into_an_unknown_year_uses_both_calendars():
    # 2026: Dec 28–31 (Mon–Thu) by the notice; 2027: Fri Jan 1 and Jan 4–8 by Monday to Friday.
    assert working_days_between(date(2026, 12, 25), date(2027, 1, 8)) == 10


def test_a_count_across_new_year_respects_overrides_on_both_sides(overrides):
    # As above, less Dec 30 and Jan 1 declared holidays.
    assert working_days_between(date(2026, 12, 25), date(2027, 1, 8)) == 8


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    start=st.sampled_from([date(2003, 12, 1), date(2026, 12, 1), date(1, 1, 1), date(9998, 12, 1)])
    | st.dates(min_value=date(2003, 6, 1), max_value=date(2027, 6, 1)),
    length=st.integers(min_value=0, max_value=400),
)
def test_counting_agrees_with_walking_day_by_day(overrides, start, length):
    length = min(length, (date.max - start).days)  # the walk stops at the last representable date
    end = start + timedelta(days=length)

    walked = sum(day_info(start + timedelta(days=i)).is_working_day for i in range(1, length + 1))

    assert working_days_between(start, end) == walked
