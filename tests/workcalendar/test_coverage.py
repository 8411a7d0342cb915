"""A year the package does not know falls back to Monday–Friday, with a warning until an administrator
has entered that year's notice."""

from datetime import date

import pytest
from django.utils import translation

from services.workcalendar.calendar import (
    add_working_days,
    coverage_warning,
    day_info,
    is_year_covered,
    warnings_for,
)
from services.workcalendar.models import CalendarYear

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _chinese():
    with translation.override("zh-hans"):
        yield


def test_a_year_in_the_package_is_covered_without_a_warning():
    assert is_year_covered(2025) is True
    assert coverage_warning(2025) is None


@pytest.mark.parametrize("year", [2027, 1999, 9999, 1])
def test_a_year_the_package_does_not_know_is_not_covered(year):
    assert is_year_covered(year) is False


def test_the_warning_for_an_uncovered_year_names_the_year_and_asks_an_administrator_to_enter_it():
    assert coverage_warning(2027) == (
        "2027年的法定节假日安排尚未录入，按周一至周五计算工作日，"
        "请管理员在“工作日历”中录入当年节假日和调休安排。"
    )


@pytest.mark.parametrize(
    ("friday", "monday"),
    [(date(2027, 1, 1), date(2027, 1, 4)), (date(1999, 10, 1), date(1999, 10, 4))],
)
def test_an_uncovered_year_counts_monday_to_friday(friday, monday):
    assert add_working_days(friday, 1) == monday
    assert day_info(friday).source == "fallback"


def test_national_day_in_an_uncovered_year_is_an_ordinary_friday():
    info = day_info(date(1999, 10, 1))

    assert (info.is_working_day, info.source, info.name) == (True, "fallback", "")


def test_the_last_friday_of_year_9999_is_a_working_day_by_the_fallback():
    assert day_info(date(9999, 12, 31)).is_working_day is True


def test_an_entered_year_is_covered_and_has_no_warning():
    CalendarYear.objects.create(year=2027, notice="国务院办公厅关于2027年部分节假日安排的通知")

    assert is_year_covered(2027) is True
    assert coverage_warning(2027) is None


def test_warnings_are_given_once_per_uncovered_year_in_year_order():
    warnings = warnings_for(date(2027, 5, 1), date(2025, 10, 1), date(1999, 1, 1), date(2027, 6, 1))

    assert len(warnings) == 2
    assert warnings[0].startswith("1999年")
    assert warnings[1].startswith("2027年")


def test_an_entered_year_gives_no_warning_among_several_days():
    CalendarYear.objects.create(year=2027)

    assert warnings_for(date(2027, 5, 1), date(2025, 10, 1)) == []


def test_no_days_give_no_warnings():
    assert warnings_for() == []
