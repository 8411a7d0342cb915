from datetime import date

import pytest

from services.workcalendar.calendar import add_working_days, working_days_between
from services.workcalendar.models import CalendarOverride, DayKind

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("n", [1, 5, 15, 30])
def test_adding_working_days_loads_the_overrides_in_one_query(django_assert_max_num_queries, n):
    CalendarOverride.objects.create(date=date(2025, 10, 9), kind=DayKind.HOLIDAY)
    CalendarOverride.objects.create(date=date(2025, 10, 12), kind=DayKind.WORKDAY)

    with django_assert_max_num_queries(1):
        add_working_days(date(2025, 9, 30), n)


def test_counting_the_working_days_of_a_whole_year_takes_one_query(django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        working_days_between(date(2024, 12, 31), date(2025, 12, 31))


def test_zero_working_days_need_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        add_working_days(date(2025, 9, 30), 0)
