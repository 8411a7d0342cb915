"""遍访率: enterprises in scope with at least one on-site visit in the period ÷ enterprises in scope.
Periods are counted in Shanghai time."""

from datetime import date

import pytest

from services.visits.coverage import Coverage, Period, coverage, coverage_by_specialist, unvisited
from services.visits.models import Method
from tests.factories import AssignmentFactory, EnterpriseFactory, SpecialistFactory, VisitFactory
from tests.issues.state import shanghai

pytestmark = pytest.mark.django_db

Q1_2026 = Period.quarter(2026, 1)


@pytest.fixture
def firms(db):
    return [EnterpriseFactory(name=f"重庆江津规上企业{n}号有限公司") for n in range(4)]


def test_a_quarter_is_bounded_by_midnight_in_shanghai():
    assert Q1_2026.bounds() == (shanghai(2026, 1, 1, 0, 0), shanghai(2026, 4, 1, 0, 0))


def test_the_fourth_quarter_ends_at_new_year():
    assert (Period.quarter(2025, 4).start, Period.quarter(2025, 4).end) == (
        date(2025, 10, 1),
        date(2026, 1, 1),
    )


def test_there_is_no_fifth_quarter():
    with pytest.raises(ValueError):
        Period.quarter(2026, 5)


def test_only_on_site_visits_count_towards_coverage(firms):
    VisitFactory(enterprise=firms[0], visited_at=shanghai(2026, 2, 10), method=Method.ON_SITE)
    VisitFactory(enterprise=firms[1], visited_at=shanghai(2026, 2, 10), method=Method.PHONE)
    VisitFactory(enterprise=firms[2], visited_at=shanghai(2026, 2, 10), method=Method.WECHAT)

    assert coverage(Q1_2026) == Coverage(visited=1, in_scope=4)


def test_two_visits_to_one_enterprise_count_it_once(firms):
    VisitFactory(enterprise=firms[0], visited_at=shanghai(2026, 1, 10))
    VisitFactory(enterprise=firms[0], visited_at=shanghai(2026, 3, 10))
    VisitFactory(enterprise=firms[1], visited_at=shanghai(2026, 3, 11))

    result = coverage(Q1_2026)
    assert (result, result.rate) == (Coverage(visited=2, in_scope=4), 0.5)


def test_a_visit_late_on_the_last_night_of_march_counts_in_the_first_quarter(firms):
    VisitFactory(enterprise=firms[0], visited_at=shanghai(2026, 3, 31, 23, 30))

    assert (coverage(Q1_2026).visited, coverage(Period.quarter(2026, 2)).visited) == (1, 0)


def test_a_visit_just_after_midnight_on_april_first_in_shanghai_counts_in_the_second_quarter(firms):
    VisitFactory(enterprise=firms[0], visited_at=shanghai(2026, 4, 1, 0, 30))  # still March 31 in UTC

    assert (coverage(Q1_2026).visited, coverage(Period.quarter(2026, 2)).visited) == (0, 1)


def test_a_year_counts_every_enterprise_visited_in_any_quarter(firms):
    VisitFactory(enterprise=firms[0], visited_at=shanghai(2025, 2, 10))
    VisitFactory(enterprise=firms[1], visited_at=shanghai(2025, 11, 10))
    VisitFactory(enterprise=firms[2], visited_at=shanghai(2026, 1, 2))

    assert coverage(Period.year(2025)) == Coverage(visited=2, in_scope=4)


def test_enterprises_below_scale_or_closed_are_out_of_scope(firms):
    EnterpriseFactory(is_above_scale=False)
    EnterpriseFactory(is_active=False)

    assert coverage(Q1_2026).in_scope == 4


def test_an_empty_scope_has_no_rate(db):
    assert coverage(Q1_2026).rate is None


def test_the_unvisited_enterprises_are_those_without_an_on_site_visit(firms):
    VisitFactory(enterprise=firms[0], visited_at=shanghai(2026, 2, 10))
    VisitFactory(enterprise=firms[1], visited_at=shanghai(2026, 2, 10), method=Method.VIDEO)

    assert set(unvisited(Q1_2026)) == set(firms[1:])


def test_coverage_per_specialist_counts_his_current_enterprises_visited_on_site(firms):
    zhang, liu = SpecialistFactory(username="zhang"), SpecialistFactory(username="liu")
    for firm in firms[:3]:
        AssignmentFactory(enterprise=firm, specialist=zhang)
    AssignmentFactory(enterprise=firms[3], specialist=liu)
    VisitFactory(enterprise=firms[0], specialist=zhang, visited_at=shanghai(2026, 2, 10))
    VisitFactory(enterprise=firms[0], specialist=zhang, visited_at=shanghai(2026, 3, 10))
    VisitFactory(enterprise=firms[1], specialist=zhang, visited_at=shanghai(2026, 2, 10), method=Method.PHONE)
    VisitFactory(enterprise=firms[3], specialist=liu, visited_at=shanghai(2025, 12, 30))

    rows = {s.username: (s.enterprises, s.visited) for s in coverage_by_specialist(Q1_2026)}

    assert rows == {"zhang": (3, 1), "liu": (1, 0)}


def test_an_enterprise_handed_over_counts_only_for_its_current_specialist(firms):
    zhang, liu = SpecialistFactory(username="zhang"), SpecialistFactory(username="liu")
    AssignmentFactory(
        enterprise=firms[0], specialist=zhang, started_on=date(2025, 1, 1), ended_on=date(2026, 1, 1)
    )
    AssignmentFactory(enterprise=firms[0], specialist=liu, started_on=date(2026, 1, 1))
    VisitFactory(enterprise=firms[0], specialist=liu, visited_at=shanghai(2026, 2, 10))

    rows = {s.username: (s.enterprises, s.visited) for s in coverage_by_specialist(Q1_2026)}

    assert rows == {"zhang": (0, 0), "liu": (1, 1)}
