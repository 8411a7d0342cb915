"""Working days follow the State Council's notices: holidays off, make-up weekend days (调休) on.

Every expected date below was checked against the chinese-calendar package and the published notices.
"""

from datetime import date

import pytest
from django.utils import translation

from services.workcalendar.calendar import add_working_days, day_info, is_working_day, working_days_between

pytestmark = pytest.mark.django_db


def test_a_spring_festival_day_is_not_a_working_day():
    assert is_working_day(date(2025, 1, 29)) is False


def test_a_make_up_sunday_before_spring_festival_is_a_working_day():
    assert is_working_day(date(2025, 1, 26)) is True


def test_a_make_up_saturday_after_spring_festival_is_a_working_day():
    assert is_working_day(date(2025, 2, 8)) is True


def test_an_ordinary_saturday_is_not_a_working_day():
    assert is_working_day(date(2025, 3, 8)) is False


def test_a_holiday_is_explained_by_the_state_council_notice_with_its_chinese_name():
    with translation.override("zh-hans"):
        info = day_info(date(2025, 1, 28))

    assert (info.is_working_day, info.source, info.name) == (False, "state_council", "春节")


def test_a_make_up_day_is_shown_as_a_make_up_working_day_not_with_the_holidays_name():
    with translation.override("zh-hans"):
        info = day_info(date(2025, 10, 11))

    assert (info.is_working_day, info.source, info.name) == (True, "state_council", "调休上班")


def test_the_make_up_saturday_after_spring_festival_2026_is_shown_as_a_make_up_working_day():
    with translation.override("zh-hans"):
        info = day_info(date(2026, 2, 14))

    assert (info.is_working_day, info.name) == (True, "调休上班")


def test_a_make_up_day_is_shown_in_english_as_a_make_up_working_day():
    with translation.override("en"):
        info = day_info(date(2026, 2, 14))

    assert info.name == "Make-up working day"


def test_the_start_day_itself_is_not_counted():
    assert add_working_days(date(2025, 3, 3), 1) == date(2025, 3, 4)


def test_zero_working_days_after_a_day_is_that_day_even_on_a_holiday():
    assert add_working_days(date(2025, 10, 1), 0) == date(2025, 10, 1)


def test_a_negative_number_of_working_days_is_refused():
    with pytest.raises(ValueError):
        add_working_days(date(2025, 3, 3), -1)


def test_five_working_days_after_the_eve_of_national_day_2025_skip_the_whole_break():
    # Oct 1–8 off; Oct 9, 10, 11 (make-up Saturday), 13, 14.
    assert add_working_days(date(2025, 9, 30), 5) == date(2025, 10, 14)


def test_a_deadline_can_fall_on_the_make_up_saturday_after_national_day_2025():
    assert add_working_days(date(2025, 9, 30), 3) == date(2025, 10, 11)


def test_one_working_day_after_a_saturday_can_be_the_make_up_sunday_before_national_day_2025():
    assert add_working_days(date(2025, 9, 27), 1) == date(2025, 9, 28)


def test_one_working_day_after_the_eve_of_spring_festival_2025_is_the_first_day_back():
    # Jan 28 – Feb 4 off.
    assert add_working_days(date(2025, 1, 27), 1) == date(2025, 2, 5)


def test_three_working_days_after_the_first_day_back_in_2025_reach_the_make_up_saturday():
    assert add_working_days(date(2025, 2, 5), 3) == date(2025, 2, 8)


def test_the_make_up_saturday_before_spring_festival_2026_counts():
    assert add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 14)


def test_the_spring_festival_2026_break_is_skipped():
    # Feb 15–23 off.
    assert add_working_days(date(2026, 2, 13), 2) == date(2026, 2, 24)


def test_the_make_up_saturday_after_spring_festival_2026_counts():
    assert add_working_days(date(2026, 2, 27), 1) == date(2026, 2, 28)


def test_the_make_up_sunday_before_national_day_2026_counts():
    assert add_working_days(date(2026, 9, 19), 1) == date(2026, 9, 20)


def test_three_working_days_after_the_eve_of_national_day_2026_end_on_the_make_up_saturday():
    # Oct 1–7 off; Oct 8, 9, 10 (make-up Saturday).
    assert add_working_days(date(2026, 9, 30), 3) == date(2026, 10, 10)


def test_working_days_between_count_the_end_but_not_the_start():
    # Oct 9, 10, 11 (make-up Saturday); Oct 12 is a Sunday.
    assert working_days_between(date(2025, 9, 30), date(2025, 10, 12)) == 3


def test_working_days_between_count_make_up_days_around_spring_festival_2025():
    # Feb 5, 6, 7, 8 (make-up Saturday).
    assert working_days_between(date(2025, 1, 27), date(2025, 2, 9)) == 4


def test_there_are_no_working_days_between_a_day_and_itself_or_an_earlier_day():
    assert working_days_between(date(2025, 3, 3), date(2025, 3, 3)) == 0
    assert working_days_between(date(2025, 3, 10), date(2025, 3, 3)) == 0
