"""Every number links to the list behind it, and the list has exactly that many rows: for every figure,
every raw count behind it, in the totals and in every row of every breakdown."""

import datetime as dt

import pytest

from services.core import clock
from services.issues.models import Satisfaction
from services.reports.figures import FIGURES, Breakdown, compute
from services.reports.figures.drilldown import drill
from services.visits.coverage import Period
from services.visits.models import Method
from tests.factories import AssignmentFactory, EnterpriseFactory, SpecialistFactory, TownFactory, VisitFactory
from tests.issues.state import shanghai
from tests.reports.desk import Desk

pytestmark = pytest.mark.django_db

MON = shanghai(2025, 3, 3, 9)
WED = shanghai(2025, 3, 5, 10)
THU = shanghai(2025, 3, 6, 10)
FRI = shanghai(2025, 3, 7, 10)


@pytest.fixture
def busy_year(enterprise_user, dispatcher, handler, other_handler, category, enterprise, specialist):
    """A year with one of everything: closed (satisfied, basic, reopened, unrated), sent back, withdrawn,
    merged, open and overdue problems, visits of two methods and specialists in two towns."""
    desk = Desk(enterprise_user=enterprise_user, dispatcher=dispatcher, handler=handler, category=category)
    desk.closed(MON, answered=WED, rated=THU)
    desk.closed(
        MON, answered=shanghai(2025, 3, 12, 10), rated=shanghai(2025, 3, 13, 10), satisfaction="basic"
    )
    reopened = desk.responded(shanghai(2025, 4, 7, 9), answered=shanghai(2025, 4, 8, 10))
    reopened = desk.evaluate(reopened, shanghai(2025, 4, 9, 10), satisfaction=Satisfaction.DISSATISFIED)
    reopened = desk.reopen(reopened, shanghai(2025, 4, 10, 10))
    reopened = desk.respond(reopened, shanghai(2025, 4, 11, 10))
    desk.evaluate(reopened, shanghai(2025, 4, 14, 10))
    desk.close_unrated(desk.responded(MON, answered=WED), shanghai(2025, 3, 11, 9))
    sent_back = desk.dispatched(shanghai(2025, 5, 6, 9))
    sent_back = desk.send_back(sent_back, shanghai(2025, 5, 6, 15))
    desk.transfer(sent_back, shanghai(2025, 5, 7, 9), unit=other_handler.unit)
    desk.withdraw(desk.accepted(shanghai(2025, 6, 2, 9)), shanghai(2025, 6, 3, 9))
    original = desk.accepted(shanghai(2025, 6, 9, 9))
    desk.merge(desk.file(shanghai(2025, 6, 9, 11)), original, shanghai(2025, 6, 10, 9))
    desk.dispatched(shanghai(2025, 12, 29, 9))  # overdue at the year's end
    other = EnterpriseFactory(town=TownFactory(name="德感街道"))
    second = SpecialistFactory()
    AssignmentFactory(specialist=second, enterprise=other, started_on=dt.date(2025, 1, 1))
    VisitFactory(enterprise=enterprise, specialist=specialist, visited_at=shanghai(2025, 4, 8, 10))
    VisitFactory(
        enterprise=other, specialist=second, visited_at=shanghai(2025, 5, 8, 10), method=Method.PHONE
    )
    return Period.year(2025)


def check(period, report, *, by=None):
    checked = 0
    rows = [(None, report.figures)] if by is None else [(row.key, row.figures) for row in report.rows]
    for key, figures in rows:
        for spec in FIGURES:
            figure = figures[spec.key]
            for part, count in figure.parts.items():
                listed = drill(period, part, by=by, key=key).rows.count()
                assert listed == count, (by, key, spec.key, part)
                checked += 1
    return checked


def test_every_figures_lists_have_as_many_rows_as_its_counts(busy_year):
    with clock.travel_to(shanghai(2026, 1, 6, 10)):
        report = compute(busy_year)
        assert check(busy_year, report) > 30
        assert report.value("issues_logged") == 8  # nine filed, one merged into another


@pytest.mark.parametrize("by", Breakdown.VALUES)
def test_every_breakdown_rows_lists_have_as_many_rows_as_its_counts(busy_year, by):
    with clock.travel_to(shanghai(2026, 1, 6, 10)):
        assert check(busy_year, compute(busy_year, by=by), by=by) > 0


def test_a_running_period_lists_what_is_overdue_now(busy_year):
    with clock.travel_to(shanghai(2025, 12, 31, 10)):
        report = compute(busy_year)
        overdue = drill(busy_year, "overdue_issues").rows

        # Transferred in May and never signed; accepted in June and never dispatched; dispatched on the
        # 29th and not signed by the 30th.
        assert overdue.count() == report.value("overdue_issues_now") == 3
        assert check(busy_year, report) > 30
