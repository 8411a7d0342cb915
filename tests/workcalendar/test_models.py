from datetime import date

import pytest
from django.db import IntegrityError

from services.workcalendar.models import CalendarOverride, CalendarYear, DayKind


def test_a_year_reads_as_the_chinese_year():
    assert str(CalendarYear(year=2027)) == "2027年"


def test_an_override_reads_as_its_date_kind_and_name():
    override = CalendarOverride(date=date(2027, 2, 6), kind=DayKind.HOLIDAY, name="春节")

    assert str(override) == "2027-02-06 休息日（节假日） 春节"


@pytest.mark.django_db
def test_a_day_can_be_overridden_only_once():
    CalendarOverride.objects.create(date=date(2027, 2, 6), kind=DayKind.HOLIDAY)

    with pytest.raises(IntegrityError):
        CalendarOverride.objects.create(date=date(2027, 2, 6), kind=DayKind.WORKDAY)


@pytest.mark.django_db
def test_an_override_kind_outside_the_choices_is_refused_by_the_database():
    with pytest.raises(IntegrityError):
        CalendarOverride.objects.create(date=date(2027, 2, 6), kind="halfday")


@pytest.mark.django_db
def test_a_year_outside_1_to_9999_is_refused_by_the_database():
    with pytest.raises(IntegrityError):
        CalendarYear.objects.create(year=10000)
