"""The report's sentence is computed from the same figures as the dashboard, never typed in."""

import datetime as dt

import pytest
from django.utils import timezone

from services.core import clock
from services.reports.figures import Headline, compute
from services.visits.models import Method
from tests.factories import SpecialistFactory, VisitFactory
from tests.factories import issues as make


def test_more_than_means_the_multiple_of_fifty_below_the_count():
    figures = Headline(
        year=2023, specialists=223, enterprises_visited=559, issues_logged=262, accepted=262, closed=262
    )

    assert figures.sentence() == "223名专员对559家规上工业企业进行实地走访，平台录入问题超过250件，办结率100%"


def test_a_count_that_is_a_round_figure_is_not_more_than_itself():
    assert Headline(2023, 1, 1, issues_logged=250, accepted=1, closed=1).issues_floor == 200


def test_a_small_count_is_stated_exactly():
    figures = Headline(2023, 1, 1, issues_logged=7, accepted=3, closed=2)

    assert "平台录入问题7件，办结率66.67%" in figures.sentence()


def test_no_accepted_issue_gives_no_closure_rate():
    assert Headline(2023, 0, 0, 0, 0, 0).closure_rate is None


@pytest.mark.django_db
def test_only_on_site_visits_in_the_year_count_towards_the_headline(enterprise):
    in_year = timezone.make_aware(dt.datetime(2023, 5, 8, 10))
    VisitFactory(enterprise=enterprise, specialist=SpecialistFactory(), visited_at=in_year)
    VisitFactory(
        enterprise=enterprise, specialist=SpecialistFactory(), visited_at=in_year, method=Method.PHONE
    )
    VisitFactory(enterprise=enterprise, visited_at=timezone.make_aware(dt.datetime(2022, 12, 30, 10)))

    figures = compute(2023).headline()

    assert (figures.specialists, figures.enterprises_visited) == (1, 1)


@pytest.mark.django_db
def test_an_issue_still_open_lowers_the_closure_rate(enterprise_user, dispatcher, handler, category):
    with clock.travel_to(timezone.make_aware(dt.datetime(2023, 3, 6, 9))):
        make.accepted(enterprise_user=enterprise_user, dispatcher=dispatcher, category=category)
        make.filed(enterprise_user=enterprise_user, category=category)

    figures = compute(2023).headline()

    assert (figures.issues_logged, figures.accepted, figures.closed, figures.closure_rate) == (2, 1, 0, 0)
