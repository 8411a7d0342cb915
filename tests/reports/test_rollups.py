"""The open period's roll-ups (DESIGN §8): kept current by every event, equal to the live computation.

Issues are driven through the real actions in March and April 2025 while 2025 is still running (the reports
are asked on 30 April). The roll-ups are built first, empty, and then kept current only by the events'
listeners (on commit); the same figures are then computed live, without the roll-ups, and must be equal.
"""

import datetime as dt
import io

import pytest
from django.core.management import call_command

from services.core import clock
from services.issues.models import Satisfaction
from services.reports import rollups
from services.reports.figures import Breakdown, compute
from services.reports.figures.compute import SOURCE_OF, scope_of
from services.reports.models import (
    ROLLUP_COUNTS,
    TALLY_COUNTS,
    DayTally,
    Grain,
    MonthTally,
    RollupState,
    StaleDay,
)
from services.visits.coverage import Period
from services.workcalendar import actions as calendar_actions
from services.workcalendar.models import DayKind
from tests.factories import (
    CategoryFactory,
    EnterpriseFactory,
    EnterpriseUserFactory,
    HandlerFactory,
    ParkFactory,
    TownFactory,
    UnitFactory,
)
from tests.issues.state import shanghai
from tests.reports.desk import Desk

pytestmark = pytest.mark.django_db

MON = shanghai(2025, 3, 3, 9)
TUE = shanghai(2025, 3, 4, 9)
WED = shanghai(2025, 3, 5, 10)
THU = shanghai(2025, 3, 6, 10)
FRI = shanghai(2025, 3, 7, 10)
NEXT_MON = shanghai(2025, 3, 10, 10)
NEXT_WED = shanghai(2025, 3, 12, 10)
LATER = shanghai(2025, 3, 24, 10)
NOW = shanghai(2025, 4, 30, 10)  # 2025 is still running: its horizon is now


@pytest.fixture
def desk(enterprise_user, dispatcher, handler, category):
    return Desk(enterprise_user=enterprise_user, dispatcher=dispatcher, handler=handler, category=category)


@pytest.fixture
def world(db):
    """A second enterprise in another town and park, a second level-1 category led by a second unit."""
    town = TownFactory(code="luohuang", name="珞璜镇")
    unit = UnitFactory(name="重庆市江津区经济和信息化委员会", short_name="区经济信息委")
    parent = CategoryFactory(name="政策兑现", default_lead_unit=unit)
    return {
        "enterprise_user": EnterpriseUserFactory(
            enterprise=EnterpriseFactory(
                name="重庆珞璜临港物流有限公司",
                town=town,
                park=ParkFactory(code="luohuang_port", name="珞璜临港产业城", town=town),
            )
        ),
        "unit": unit,
        "handler": HandlerFactory(unit=unit, display_name="龚晓琳"),
        "category": CategoryFactory(name="奖补资金", parent=parent, default_lead_unit=None),
    }


@pytest.fixture
def built(db):
    """Roll-ups built for 2025 before anything happened: from then on only the events keep them."""
    with clock.travel_to(shanghai(2025, 1, 2, 9)):
        rollups.rebuild(dt.date(2025, 1, 1), dt.date(2025, 12, 31))


def varied_histories(desk, world):
    """Every kind of history the figures distinguish."""
    other = {
        "handler": world["handler"],
        "enterprise_user": world["enterprise_user"],
        "category": world["category"],
    }
    desk.closed(MON, answered=WED, rated=THU)
    desk.closed(MON, answered=WED, rated=FRI, satisfaction=Satisfaction.BASIC, **other)
    # Dissatisfied, reopened, answered again and then satisfied: 首次满意率 keeps the first rating.
    reopened = desk.closed(TUE, answered=WED, rated=THU, satisfaction=Satisfaction.DISSATISFIED)
    desk.reopen(reopened, FRI)
    desk.respond(reopened, NEXT_MON)
    desk.evaluate(reopened, NEXT_WED)
    # Dissatisfied and closed by review.
    reviewed = desk.closed(TUE, answered=THU, rated=FRI, satisfaction=Satisfaction.DISSATISFIED, **other)
    desk.review_close(reviewed, NEXT_MON)
    # An extension approved in time, and one approved after the due time had passed.
    in_time = desk.handling(MON)
    desk.extend(in_time, asked=WED, decided=THU)
    desk.respond(in_time, shanghai(2025, 3, 12, 16))
    desk.evaluate(in_time, LATER)
    too_late = desk.handling(MON)
    desk.extend(too_late, asked=WED, decided=shanghai(2025, 3, 11, 9))
    desk.respond(too_late, shanghai(2025, 3, 12, 9))
    desk.close_unrated(too_late, LATER)
    # Sent back in time and transferred to the second unit, which closes it.
    moved = desk.dispatched(TUE)
    desk.send_back(moved, shanghai(2025, 3, 4, 15))
    desk.transfer(moved, WED, unit=world["unit"])
    desk.acknowledge(moved, THU, handler=world["handler"])
    desk.respond(moved, NEXT_MON, handler=world["handler"])
    desk.evaluate(moved, NEXT_WED, satisfaction=Satisfaction.BASIC, contacted=False, solved=False)
    # Left unsigned past its sign deadline, then transferred.
    unsigned = desk.dispatched(MON)
    desk.transfer(unsigned, THU, unit=world["unit"])
    # Withdrawn while being handled, merged into another, still open (and overdue), only filed.
    desk.withdraw(desk.handling(WED), FRI)
    duplicate_of = desk.accepted(THU, enterprise_user=world["enterprise_user"], category=world["category"])
    duplicate = desk.file(FRI, enterprise_user=world["enterprise_user"])
    desk.merge(duplicate, duplicate_of, FRI + dt.timedelta(hours=1))
    desk.handling(
        shanghai(2025, 4, 1, 9),
        handler=world["handler"],
        **{k: v for k, v in other.items() if k != "handler"},
    )
    desk.file(shanghai(2025, 4, 29, 9))


def report_pairs(*, unit):
    """(asked, from the roll-ups, computed live) for the totals, every breakdown and one unit."""
    asks = [{}, *({"by": by} for by in Breakdown.VALUES), {"unit": unit.pk}, {"unit": unit.pk, "by": "month"}]
    with clock.travel_to(NOW):
        assert rollups.applies(scope_of(Period.year(2025)))
        rolled = [compute(2025, **ask) for ask in asks]
        RollupState.objects.all().delete()  # without the roll-ups' state, every figure is computed live
        live = [compute(2025, **ask) for ask in asks]
    return list(zip(asks, rolled, live, strict=True))


def shape(report):
    def figures(values):
        return {key: (f.value, f.numerator, f.denominator, f.parts) for key, f in values.items()}

    return figures(report.figures), [(row.key, row.label, figures(row.figures)) for row in report.rows]


def test_every_figure_and_breakdown_from_the_roll_ups_equals_the_live_computation(
    desk, world, unit, built, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        varied_histories(desk, world)

    assert DayTally.objects.filter(grain=Grain.TOTAL).exists()
    assert not StaleDay.objects.exists()  # every marked day was counted
    pairs = report_pairs(unit=unit)
    for ask, rolled, live in pairs:
        assert shape(rolled) == shape(live), ask
    totals = pairs[0][1]
    # The histories reach every count the roll-ups keep.
    assert totals.figures["first_satisfaction_rate"].parts == {
        "first_satisfied": 2,
        "first_basic": 2,
        "first_rated": 6,
    }
    assert totals.figures["on_time_closure_rate"].parts == {"closed_on_time": 6, "closed": 7}
    assert totals.figures["send_back_rate"].parts == {"sent_back": 1, "dispatched": 12}
    assert totals.figures["closure_rate"].parts == {"accepted_closed": 7, "accepted": 10}


def test_the_month_rows_are_the_sums_of_their_days_after_every_event(
    desk, world, built, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        varied_histories(desk, world)

    year = (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    months = rollups.stored_months(*year)
    assert {month for _grain, month, _key in months} == {dt.date(2025, 3, 1), dt.date(2025, 4, 1)}
    assert rollups.compare(months, rollups.summed_months(*year)) == []
    march = MonthTally.objects.get(grain=Grain.TOTAL, month=dt.date(2025, 3, 1))
    assert march.closed == sum(
        DayTally.objects.filter(grain=Grain.TOTAL, day__month=3).values_list("closed", flat=True)
    )


def test_a_change_of_the_working_calendar_counts_the_handling_days_again(
    desk, built, administrator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        desk.closed(MON, answered=NEXT_MON, rated=NEXT_WED)
    with clock.travel_to(NOW):
        before = compute(2025).figures["average_handling_days"].value
    with django_capture_on_commit_callbacks(execute=True), clock.travel_to(NOW):
        calendar_actions.set_override(
            actor=administrator, date=dt.date(2025, 3, 5), kind=DayKind.HOLIDAY, name="停电检修"
        )

    with clock.travel_to(NOW):
        after = compute(2025).figures["average_handling_days"].value
        RollupState.objects.all().delete()
        live = compute(2025).figures["average_handling_days"].value
    assert (before, after) == (7, 6)
    assert after == live


def verify(*args):
    out = io.StringIO()
    with clock.travel_to(NOW):
        call_command("verify_rollups", "--year", "2025", *args, stdout=out)
    return out.getvalue()


def differences_listed():
    """What the verify command printed, having exited with the failure status."""
    out = io.StringIO()
    with pytest.raises(SystemExit) as exited, clock.travel_to(NOW):
        call_command("verify_rollups", "--year", "2025", stdout=out)
    assert exited.value.code == 1
    return out.getvalue()


def test_the_verify_command_finds_a_tampered_roll_up_row_and_the_rebuild_repairs_it(
    desk, built, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        desk.closed(MON, answered=WED, rated=THU)
    assert "equal a recount" in verify()

    DayTally.objects.filter(grain=Grain.TOTAL, day=dt.date(2025, 3, 6)).update(closed=2)
    with pytest.raises(SystemExit) as exited:
        verify()
    assert exited.value.code == 1

    assert "1 roll-up rows" not in verify("--rebuild")
    assert "equal a recount" in verify()
    assert DayTally.objects.get(grain=Grain.TOTAL, day=dt.date(2025, 3, 6)).closed == 1


def test_the_verify_command_names_the_day_and_the_count_that_differ(
    desk, built, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        desk.closed(MON, answered=WED, rated=THU)
    DayTally.objects.filter(grain=Grain.TOTAL, day=dt.date(2025, 3, 3)).update(logged=5)

    assert "2025-03-03 total - logged: stored 5, recounted 1" in differences_listed()


def test_the_verify_command_finds_a_month_row_that_is_not_the_sum_of_its_days(
    desk, built, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        desk.closed(MON, answered=WED, rated=THU)
    MonthTally.objects.filter(grain=Grain.TOTAL, month=dt.date(2025, 3, 1)).update(closed=9)

    assert "2025-03 total - closed: month row 9, sum of its days 1" in differences_listed()


def test_a_finished_period_or_one_before_the_roll_ups_began_is_computed_live(built):
    with clock.travel_to(NOW):
        assert rollups.applies(scope_of(Period.year(2025)))
        assert not rollups.applies(scope_of(Period.year(2024)))  # finished: judged at its end
        assert not rollups.applies(scope_of(Period(dt.date(2024, 12, 1), dt.date(2025, 6, 1))))
        assert not rollups.applies(scope_of(Period.year(2025), unit_id=1, by=Breakdown.CATEGORY))


def test_without_a_rebuild_the_roll_ups_are_not_read(db):
    with clock.travel_to(NOW):
        assert not rollups.applies(scope_of(Period.year(2025)))


def test_the_roll_up_counts_are_exactly_the_issue_and_dispatch_sources_counts_and_the_tally_columns():
    columns = {field.name for field in DayTally._meta.concrete_fields} - {
        "id",
        "day",
        "grain",
        "key",
        "counted_at",
    }

    assert list(ROLLUP_COUNTS) == [*SOURCE_OF["issues"], *SOURCE_OF["dispatches"]]
    assert columns == set(TALLY_COUNTS)
