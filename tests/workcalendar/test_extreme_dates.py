"""Every date a user can enter, year 1 to 9999, gets an answer; running off the end is a clear ValueError."""

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.workcalendar.calendar import add_working_days, day_info, is_working_day, working_days_between

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "day", [date.min, date(1899, 12, 31), date(2003, 12, 31), date(2004, 1, 1), date.max]
)
def test_any_date_has_an_answer(day):
    assert day_info(day).is_working_day in (True, False)


def test_the_first_day_of_year_1_is_a_monday_and_so_a_working_day():
    assert is_working_day(date.min) is True


def test_working_days_can_be_added_from_the_first_day_of_year_1():
    assert add_working_days(date.min, 5) == date(1, 1, 8)


def test_a_deadline_after_the_last_representable_day_is_a_value_error():
    with pytest.raises(ValueError):
        add_working_days(date.max - timedelta(days=1), 5)


def test_adding_a_working_day_to_the_last_representable_day_is_a_value_error():
    with pytest.raises(ValueError):
        add_working_days(date.max, 1)


def test_the_last_representable_day_can_itself_be_a_deadline():
    # 9999-12-30 is a Thursday, 9999-12-31 a Friday.
    assert add_working_days(date(9999, 12, 30), 1) == date.max


def test_working_days_can_be_counted_up_to_the_last_representable_day():
    assert working_days_between(date(9999, 12, 24), date.max) == 5


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    start=st.one_of(
        st.dates(min_value=date(2003, 11, 1), max_value=date(2027, 3, 1)),
        st.dates(max_value=date(9999, 10, 1)),
    ),
    n=st.integers(min_value=0, max_value=30),
)
def test_the_n_th_working_day_after_a_start_has_exactly_n_working_days_up_to_it(start, n):
    end = add_working_days(start, n)

    assert working_days_between(start, end) == n
    assert n == 0 or is_working_day(end)


def test_working_days_can_be_counted_across_the_whole_range_of_dates():
    # Checked once by walking all 3,652,058 days one by one (about a minute); the count itself is instant.
    assert working_days_between(date.min, date.max) == 2_608_357
