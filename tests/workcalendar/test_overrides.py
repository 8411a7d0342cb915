"""An administrator's override of one day takes precedence over the package and the fallback."""

from datetime import date, timedelta

import pytest

from services.workcalendar.calendar import add_working_days, day_info, working_days_between
from services.workcalendar.models import CalendarOverride, DayKind

pytestmark = pytest.mark.django_db


def test_a_package_working_day_declared_a_holiday_is_not_a_working_day():
    CalendarOverride.objects.create(date=date(2025, 3, 4), kind=DayKind.HOLIDAY, name="防汛停工")

    info = day_info(date(2025, 3, 4))

    assert (info.is_working_day, info.source, info.name) == (False, "override", "防汛停工")


def test_a_package_working_day_declared_a_holiday_is_skipped_by_deadlines():
    CalendarOverride.objects.create(date=date(2025, 3, 4), kind=DayKind.HOLIDAY)

    assert add_working_days(date(2025, 3, 3), 1) == date(2025, 3, 5)


def test_a_package_holiday_declared_a_working_day_counts_for_deadlines():
    CalendarOverride.objects.create(date=date(2025, 10, 8), kind=DayKind.WORKDAY, name="调休上班")

    assert add_working_days(date(2025, 9, 30), 1) == date(2025, 10, 8)


def test_a_package_holiday_declared_a_working_day_is_counted_between_dates():
    CalendarOverride.objects.create(date=date(2025, 10, 8), kind=DayKind.WORKDAY)

    assert working_days_between(date(2025, 9, 30), date(2025, 10, 12)) == 4


def test_an_override_in_a_year_the_package_does_not_know_beats_monday_to_friday():
    CalendarOverride.objects.create(date=date(2027, 1, 4), kind=DayKind.HOLIDAY, name="元旦")
    CalendarOverride.objects.create(date=date(2027, 1, 9), kind=DayKind.WORKDAY, name="元旦")

    assert add_working_days(date(2027, 1, 1), 1) == date(2027, 1, 5)
    assert working_days_between(date(2027, 1, 3), date(2027, 1, 10)) == 5


def test_a_declared_break_longer_than_the_first_window_loaded_is_still_skipped():
    first = date(2027, 1, 4)
    CalendarOverride.objects.bulk_create(
        CalendarOverride(date=first + timedelta(days=offset), kind=DayKind.HOLIDAY) for offset in range(87)
    )  # 2027-01-04 to 2027-03-31

    # 2027-01-01 is a Friday; every day up to 2027-03-31 is off, and 2027-04-01 is a Thursday.
    assert add_working_days(date(2027, 1, 1), 1) == date(2027, 4, 1)
