"""The open period's distinct counts from first appearances: equal to the live computation for the year, its
quarters and months, by month, by unit and for one unit, and kept current by visits, issue events and
enterprise edits (DESIGN §8).

2025 is running; the reports are asked on 30 April. The roll-ups are built on 2 January, empty, and from then
on only the listeners keep them (on commit).
"""

import datetime as dt

import pytest

from services.core import clock
from services.reports import rollups
from services.reports.figures import Breakdown, compute
from services.reports.figures.compute import SOURCE_OF, scope_of
from services.reports.models import (
    DISTINCT_NAMES,
    FIRST_COUNTS,
    FIRST_PERIODS,
    ROLLUP_COUNTS,
    TALLY_COUNTS,
    DayTally,
    RollupState,
    StaleDay,
)
from services.visits.actions import log_visit
from services.visits.coverage import Period
from services.visits.models import Method
from tests.factories import AssignmentFactory, EnterpriseFactory, EnterpriseUserFactory, SpecialistFactory
from tests.issues.state import shanghai
from tests.reports.desk import Desk

pytestmark = pytest.mark.django_db

NOW = shanghai(2025, 4, 30, 10)
YEAR = Period.year(2025)
# The periods still open on 30 April (an ended one is judged at its end, live): the year by month reads the
# month columns of every month so far.
PERIODS = [YEAR, Period.quarter(2025, 2), Period(dt.date(2025, 4, 1), dt.date(2025, 5, 1))]
DISTINCT = ("enterprises_served", "visits", "on_site_coverage", "specialists")


@pytest.fixture
def built(db):
    with clock.travel_to(shanghai(2025, 1, 2, 9)):
        rollups.rebuild(dt.date(2025, 1, 1), dt.date(2025, 12, 31))


@pytest.fixture
def district(enterprise, enterprise_user, dispatcher, handler, category):
    """Two specialists; enterprises above scale, below it, and above it but closed down (inactive)."""
    north, south = SpecialistFactory(display_name="张建国"), SpecialistFactory(display_name="刘海燕")
    below = EnterpriseFactory(name="江津区德感小微五金加工厂", is_above_scale=False)
    closed_down = EnterpriseFactory(name="重庆白沙🍶老窖酒业有限公司（已停产）", is_active=False)
    other = EnterpriseUserFactory(
        enterprise=EnterpriseFactory(name="重庆珞璜临港物流有限公司"), display_name="何思远"
    )
    fresh = EnterpriseUserFactory(
        enterprise=EnterpriseFactory(name="重庆双福新区智能装备制造有限公司"), display_name="邓佳怡"
    )
    firms_of = {north: (enterprise, below), south: (closed_down, other.enterprise, fresh.enterprise)}
    for person, firms in firms_of.items():
        for firm in firms:
            AssignmentFactory(enterprise=firm, specialist=person, started_on=dt.date(2024, 1, 1))
    return {
        "north": north,
        "south": south,
        "above": enterprise,
        "below": below,
        "closed_down": closed_down,
        "other": other,
        "fresh": fresh,
        "desk": Desk(
            enterprise_user=enterprise_user, dispatcher=dispatcher, handler=handler, category=category
        ),
    }


def visit(specialist, enterprise, at, method=Method.ON_SITE):
    with clock.travel_to(NOW):
        return log_visit(actor=specialist, enterprise=enterprise, visited_at=at, method=method)


def field_work(d, commit):
    """Visits logged out of order (a later visit first, so an earlier one takes its first place), of every
    method and to every kind of enterprise; each committed (and its days counted again) before the next."""
    steps = [
        lambda: visit(d["north"], d["above"], shanghai(2025, 4, 2, 10)),
        lambda: visit(d["north"], d["above"], shanghai(2025, 3, 3, 10)),  # now the first of the year and Q1
        lambda: visit(d["north"], d["above"], shanghai(2025, 3, 20, 15), Method.PHONE),
        lambda: visit(d["north"], d["below"], shanghai(2025, 3, 5, 9)),
        lambda: visit(d["south"], d["closed_down"], shanghai(2025, 3, 4, 14)),
        lambda: visit(d["south"], d["other"].enterprise, shanghai(2025, 4, 10, 16)),
        lambda: visit(d["south"], d["other"].enterprise, shanghai(2025, 4, 10, 10)),  # the same day, earlier
    ]
    for step in steps:
        with commit(execute=True):
            step()


def problems(d, commit):
    """Problems filed before the enterprises' visits, and one merged away."""
    desk = d["desk"]
    with commit(execute=True):
        desk.closed(
            shanghai(2025, 2, 10, 9), answered=shanghai(2025, 2, 12, 10), rated=shanghai(2025, 2, 13, 10)
        )
    with commit(execute=True):
        desk.file(shanghai(2025, 4, 15, 9), enterprise_user=d["other"])
    with commit(execute=True):
        kept = desk.accepted(shanghai(2025, 1, 20, 9), enterprise_user=d["other"])
    with commit(execute=True):
        duplicate = desk.file(shanghai(2025, 1, 21, 9), enterprise_user=d["other"])
    with commit(execute=True):
        desk.merge(duplicate, kept, shanghai(2025, 1, 21, 11))


def late_records(d, commit):
    """Visits logged after the fact, each moving a first appearance that only one of the marks reaches: the
    enterprise's (a problem filed on 20 April stops being its first of the month) and the specialist's (a visit
    to another enterprise stops being the specialist's first of the year)."""
    with commit(execute=True):
        d["desk"].file(shanghai(2025, 4, 20, 9), enterprise_user=d["fresh"])
    with commit(execute=True):
        visit(d["south"], d["fresh"].enterprise, shanghai(2025, 4, 18, 10))
    with commit(execute=True):
        visit(d["south"], d["other"].enterprise, shanghai(2025, 3, 2, 10))


def pairs(unit):
    asks = [{"period": period} for period in PERIODS]
    asks += [
        {"period": YEAR, "by": Breakdown.MONTH},
        {"period": Period.quarter(2025, 2), "by": Breakdown.MONTH},
        {"period": YEAR, "by": Breakdown.UNIT},
        {"period": YEAR, "unit": unit.pk},
        {"period": Period.quarter(2025, 2), "unit": unit.pk, "by": Breakdown.MONTH},
    ]
    with clock.travel_to(NOW):
        for ask in asks:
            scope = scope_of(ask["period"], unit_id=ask.get("unit"), by=ask.get("by"))
            assert rollups.first_kind(scope) is not None, ask
        rolled = [compute(**ask) for ask in asks]
        state = RollupState.objects.get()
        state.delete()  # without the roll-ups' state, every figure is computed live
        live = [compute(**ask) for ask in asks]
        state.save()
    return list(zip(asks, rolled, live, strict=True))


def shape(report):
    def figures(values):
        return {key: (f.value, f.numerator, f.denominator, f.parts) for key, f in values.items()}

    return (
        figures(report.figures),
        [(row.key, figures(row.figures)) for row in report.rows],
        (report.visiting_specialists, report.visited_above_scale),
    )


def test_the_distinct_counts_from_first_appearances_equal_the_live_computation(
    district, unit, built, django_capture_on_commit_callbacks
):
    field_work(district, django_capture_on_commit_callbacks)
    for ask, rolled, live in pairs(unit):
        assert shape(rolled) == shape(live), ask

    problems(district, django_capture_on_commit_callbacks)
    late_records(district, django_capture_on_commit_callbacks)

    assert not StaleDay.objects.exists()
    found = pairs(unit)
    for ask, rolled, live in found:
        assert shape(rolled) == shape(live), ask
    year = found[0][1].figures
    assert year["visits"].value == 9
    assert year["enterprises_served"].value == 5  # above, below, closed down, other, fresh
    assert year["on_site_coverage"].parts == {"covered": 3, "in_scope": 3}  # not below, nor closed down
    assert (found[0][1].visited_above_scale, found[0][1].visiting_specialists) == (4, 2)


def test_an_enterprise_made_above_scale_or_not_moves_its_specialists_first_visit(
    district, unit, built, django_capture_on_commit_callbacks
):
    field_work(district, django_capture_on_commit_callbacks)
    problems(district, django_capture_on_commit_callbacks)
    below, above = district["below"], district["above"]
    with django_capture_on_commit_callbacks(execute=True):
        below.is_above_scale = True
        below.save()
    with django_capture_on_commit_callbacks(execute=True):
        above.is_above_scale = False  # the north specialist's first qualifying visit moves to 5 March
        above.save()

    found = pairs(unit)
    for ask, rolled, live in found:
        assert shape(rolled) == shape(live), ask
    march = DayTally.objects.get(grain="total", day=dt.date(2025, 3, 5))
    assert march.visiting_specialists_first_in_year == 1
    assert (
        DayTally.objects.get(grain="total", day=dt.date(2025, 3, 3)).visiting_specialists_first_in_year == 0
    )


def test_a_merge_moves_the_enterprises_first_problem_of_the_month(
    district, unit, built, django_capture_on_commit_callbacks
):
    desk = district["desk"]
    with django_capture_on_commit_callbacks(execute=True):
        first = desk.file(shanghai(2025, 4, 3, 9))
    with django_capture_on_commit_callbacks(execute=True):
        second = desk.accepted(shanghai(2025, 4, 8, 9))
    april_8 = DayTally.objects.get(grain="total", day=dt.date(2025, 4, 8))
    assert april_8.served_first_in_month == 0

    with django_capture_on_commit_callbacks(execute=True):
        desk.merge(first, second, shanghai(2025, 4, 9, 9))

    assert DayTally.objects.get(grain="total", day=dt.date(2025, 4, 8)).served_first_in_month == 1
    assert DayTally.objects.get(grain="total", day=dt.date(2025, 4, 3)).served_first_in_month == 0
    for ask, rolled, live in pairs(unit):
        assert shape(rolled) == shape(live), ask


def test_a_custom_range_or_a_breakdown_by_town_counts_distinct_figures_live(built):
    with clock.travel_to(NOW):
        assert rollups.first_kind(scope_of(Period(dt.date(2025, 3, 10), dt.date(2025, 4, 10)))) is None
        assert (
            rollups.first_kind(scope_of(Period(dt.date(2025, 3, 10), dt.date(2025, 4, 10)), by="month"))
            is None
        )
        assert rollups.first_kind(scope_of(YEAR, by=Breakdown.TOWN)) is None
        assert rollups.first_kind(scope_of(YEAR, by=Breakdown.CATEGORY)) is None
        assert rollups.first_kind(scope_of(Period.year(2024))) is None  # ended: judged at its end


def test_the_verify_command_recounts_the_first_appearances_too(
    district, built, django_capture_on_commit_callbacks
):
    field_work(district, django_capture_on_commit_callbacks)
    problems(district, django_capture_on_commit_callbacks)
    with clock.travel_to(NOW):
        assert (
            rollups.compare(
                rollups.stored_days(YEAR.start, YEAR.last_day), rollups.count_days(YEAR.start, YEAR.last_day)
            )
            == []
        )
        DayTally.objects.filter(grain="total", day=dt.date(2025, 3, 3)).update(covered_first_in_quarter=5)
        differences = rollups.compare(
            rollups.stored_days(YEAR.start, YEAR.last_day), rollups.count_days(YEAR.start, YEAR.last_day)
        )
    assert [(d.day, d.count, d.stored, d.recounted) for d in differences] == [
        (dt.date(2025, 3, 3), "covered_first_in_quarter", 5, 1)
    ]


def test_the_first_appearances_are_kept_for_every_distinct_count_of_visits_and_served_in_each_period():
    distinct = {*SOURCE_OF["visits"], *SOURCE_OF["served"]} - {"visits"}

    assert set(DISTINCT_NAMES) == distinct
    assert set(FIRST_COUNTS) == {f"{name}_first_in_{kind}" for name in distinct for kind in FIRST_PERIODS}
    assert set(TALLY_COUNTS) == {*ROLLUP_COUNTS, "visits", *FIRST_COUNTS}


def test_a_breakdown_that_takes_the_totals_of_another_equals_one_that_counts_them(
    district, unit, built, django_capture_on_commit_callbacks
):
    field_work(district, django_capture_on_commit_callbacks)
    problems(district, django_capture_on_commit_callbacks)

    with clock.travel_to(NOW):
        by_unit = compute(YEAR, by=Breakdown.UNIT)
        reused = compute(YEAR, by=Breakdown.MONTH, totals_from=by_unit)
        counted = compute(YEAR, by=Breakdown.MONTH)

    assert shape(reused) == shape(counted)
    assert reused.as_of == by_unit.as_of
