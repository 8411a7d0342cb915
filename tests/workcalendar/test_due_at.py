from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from services.workcalendar.calendar import due_at

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_a_deadline_is_due_at_23_59_59_shanghai_time_on_the_last_working_day():
    due = due_at(datetime(2025, 9, 30, 10, 0, tzinfo=SHANGHAI), 5)

    assert due == datetime(2025, 10, 14, 23, 59, 59, tzinfo=SHANGHAI)
    assert due.utcoffset() == timedelta(hours=8)


def test_the_start_day_is_the_shanghai_date_even_when_the_start_is_given_in_utc():
    # 2025-09-30 17:00 UTC is already 2025-10-01 01:00 in Shanghai, a holiday: the count starts from there.
    due = due_at(datetime(2025, 9, 30, 17, 0, tzinfo=UTC), 1)

    assert due == datetime(2025, 10, 9, 23, 59, 59, tzinfo=SHANGHAI)


def test_zero_working_days_make_the_deadline_the_end_of_the_start_day():
    assert due_at(datetime(2025, 3, 3, 9, 0, tzinfo=SHANGHAI), 0) == datetime(
        2025, 3, 3, 23, 59, 59, tzinfo=SHANGHAI
    )


def test_a_naive_start_is_refused():
    with pytest.raises(ValueError):
        due_at(datetime(2025, 9, 30, 10, 0), 5)


def test_a_start_that_is_already_year_10000_in_shanghai_gives_a_value_error():
    with pytest.raises(ValueError):
        due_at(datetime(9999, 12, 31, 20, 0, tzinfo=UTC), 1)


def test_a_start_that_is_still_year_0_in_shanghai_gives_a_value_error():
    with pytest.raises(ValueError):
        due_at(datetime(1, 1, 1, 0, 0, tzinfo=timezone(timedelta(hours=14))), 1)


def test_the_first_day_of_year_1_has_a_deadline():
    assert due_at(datetime(1, 1, 1, 12, 0, tzinfo=SHANGHAI), 1).date() == date(1, 1, 2)
