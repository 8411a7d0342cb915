"""A specialist's own quarter (N of M visited on site, which are left) and every specialist's, behind first."""

from datetime import date

import pytest

from services.visits.coverage import Period, current_quarter, specialist_quarter, specialists_behind_first
from services.visits.models import Method
from tests.factories import AssignmentFactory, EnterpriseFactory, SpecialistFactory, VisitFactory
from tests.issues.state import shanghai

pytestmark = pytest.mark.django_db

Q1 = Period.quarter(2026, 1)


@pytest.fixture
def serving(db):
    specialist = SpecialistFactory(display_name="张建国")
    firms = [
        EnterpriseFactory(name=name)
        for name in ("重庆甲机械有限公司", "重庆乙化工有限公司", "重庆丙食品有限公司")
    ]
    for firm in firms:
        AssignmentFactory(specialist=specialist, enterprise=firm)
    return specialist, firms


def test_a_specialist_sees_n_of_m_visited_on_site_and_which_are_left(serving):
    specialist, (first, _second, _third) = serving
    VisitFactory(enterprise=first, specialist=specialist, visited_at=shanghai(2026, 2, 10))

    quarter = specialist_quarter(specialist, Q1)

    assert (quarter.visited, quarter.total) == (1, 3)
    assert [firm.name for firm in quarter.left] == ["重庆丙食品有限公司", "重庆乙化工有限公司"]


@pytest.mark.parametrize("method", [Method.PHONE, Method.WECHAT, Method.VIDEO, Method.MEETING])
def test_visits_that_are_not_on_site_do_not_count(serving, method):
    specialist, (first, _second, _third) = serving
    VisitFactory(enterprise=first, specialist=specialist, visited_at=shanghai(2026, 2, 10), method=method)

    assert specialist_quarter(specialist, Q1).visited == 0


def test_a_visit_at_half_past_midnight_on_april_first_in_shanghai_counts_for_the_second_quarter(serving):
    specialist, (first, _second, _third) = serving
    # 2026-03-31 16:30 UTC: still March in London, already April in Jiangjin.
    VisitFactory(enterprise=first, specialist=specialist, visited_at=shanghai(2026, 4, 1, 0, 30))

    assert specialist_quarter(specialist, Q1).visited == 0
    assert specialist_quarter(specialist, Period.quarter(2026, 2)).visited == 1


def test_a_visit_at_eleven_at_night_on_march_31st_counts_for_the_first_quarter(serving):
    specialist, (first, _second, _third) = serving
    VisitFactory(enterprise=first, specialist=specialist, visited_at=shanghai(2026, 3, 31, 23, 0))

    assert specialist_quarter(specialist, Q1).visited == 1


def test_the_current_quarter_is_the_one_in_shanghai():
    # 2026-06-30 17:00 UTC is 2026-07-01 01:00 in Jiangjin: the third quarter.
    assert current_quarter(shanghai(2026, 7, 1, 1)).start == date(2026, 7, 1)


def test_an_enterprise_handed_over_is_no_longer_on_the_former_specialists_list(serving):
    specialist, (first, _second, _third) = serving
    assignment = first.assignments.get()
    assignment.ended_on = date(2026, 1, 15)
    assignment.save()

    assert specialist_quarter(specialist, Q1).total == 2


def test_leaders_see_every_specialist_with_those_behind_first(serving):
    done, (first, second, third) = serving
    for firm in (first, second, third):
        VisitFactory(enterprise=firm, specialist=done, visited_at=shanghai(2026, 1, 20))
    behind = SpecialistFactory(display_name="郭专员")
    half = SpecialistFactory(display_name="林专员")
    for n in range(2):
        AssignmentFactory(specialist=behind, enterprise=EnterpriseFactory(name=f"重庆落后{n}号有限公司"))
    half_firms = [EnterpriseFactory(name=f"重庆一半{n}号有限公司") for n in range(2)]
    for firm in half_firms:
        AssignmentFactory(specialist=half, enterprise=firm)
    VisitFactory(enterprise=half_firms[0], specialist=half, visited_at=shanghai(2026, 3, 1))
    SpecialistFactory(display_name="新来的专员")  # serves no one yet: not behind

    rows = [(row.display_name, row.visited, row.enterprises) for row in specialists_behind_first(Q1)]

    assert rows == [("郭专员", 0, 2), ("林专员", 1, 2), ("张建国", 3, 3), ("新来的专员", 0, 0)]
