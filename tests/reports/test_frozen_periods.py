"""A closed period's figures never change (issue 10 §1.5): frozen when the period closes, by the daily task
some working days after it ends or by an administrator by hand, whatever is edited later."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import override_settings

from services.core import clock
from services.core.errors import InvalidInput, NotPermitted
from services.issues.models import IssuePolicy, Satisfaction
from services.reports.actions import close_period, freeze_due_periods
from services.reports.figures import Breakdown, compute
from services.reports.models import PeriodKind, PeriodSnapshot
from services.reports.snapshots import differences, month, possible_reasons, report_for
from services.visits.coverage import Period
from services.visits.models import Method, Visit
from services.workcalendar.models import CalendarOverride, DayKind
from tests.factories import VisitFactory
from tests.issues.state import shanghai
from tests.reports.desk import Desk

pytestmark = pytest.mark.django_db

MON = shanghai(2025, 3, 3, 9)
WED = shanghai(2025, 3, 5, 10)
THU = shanghai(2025, 3, 6, 10)
FRI = shanghai(2025, 3, 7, 10)
IN_2026 = shanghai(2026, 2, 2, 10)


@pytest.fixture
def desk(enterprise_user, dispatcher, handler, category):
    return Desk(enterprise_user=enterprise_user, dispatcher=dispatcher, handler=handler, category=category)


@pytest.fixture
def year_2025(desk, enterprise, specialist):
    """Two problems closed in March 2025 (one basically satisfied, accepted Monday and closed Friday) and
    an on-site visit to the one above-scale enterprise."""
    desk.closed(MON, answered=WED, rated=FRI, satisfaction=Satisfaction.BASIC)
    desk.closed(MON, answered=WED, rated=THU)
    VisitFactory(enterprise=enterprise, specialist=specialist, visited_at=shanghai(2025, 4, 8, 10))
    return Period.year(2025)


def closed_by_hand(period, administrator):
    with clock.travel_to(IN_2026):
        return close_period(actor=administrator, period=period, reason="年度报告定稿")


def frozen(period, **kw):
    with clock.travel_to(IN_2026):
        return report_for(period, **kw)


def live(period, **kw):
    with clock.travel_to(IN_2026):
        return compute(period, **kw)


def every_value(report):
    return {key: figure.value for key, figure in report.figures.items()}


def test_a_closed_period_reads_its_snapshot_and_says_so(year_2025, administrator):
    snapshot = closed_by_hand(year_2025, administrator)

    report = frozen(year_2025)

    assert report.is_frozen and report.frozen_at == snapshot.closed_at
    assert every_value(report) == every_value(live(year_2025))
    assert report.sentence() == live(year_2025).sentence()


def test_an_open_period_is_computed_live(year_2025):
    assert not frozen(year_2025).is_frozen


def test_every_breakdown_is_frozen_with_its_rows(year_2025, administrator, unit):
    closed_by_hand(year_2025, administrator)

    for by in Breakdown.VALUES:
        frozen_rows = [(row.key, row.label, every_value(row)) for row in frozen(year_2025, by=by).rows]
        live_rows = [(row.key, row.label, every_value(row)) for row in live(year_2025, by=by).rows]
        assert frozen_rows == live_rows, by
    assert every_value(frozen(year_2025, unit=unit)) == every_value(live(year_2025, unit=unit))


def test_marking_an_enterprise_not_above_scale_leaves_a_closed_year_unchanged(
    year_2025, administrator, enterprise
):
    closed_by_hand(year_2025, administrator)
    before = frozen(year_2025)

    enterprise.is_above_scale = False
    enterprise.save(update_fields=["is_above_scale"])

    assert live(year_2025).value("on_site_coverage") is None  # the edit does move the live figure
    assert every_value(frozen(year_2025)) == every_value(before)
    assert frozen(year_2025).sentence() == before.sentence()


def test_editing_or_deleting_a_visit_leaves_a_closed_years_coverage_unchanged(year_2025, administrator):
    closed_by_hand(year_2025, administrator)
    before = every_value(frozen(year_2025))

    Visit.objects.update(method=Method.PHONE)
    assert live(year_2025).value("on_site_coverage") == Decimal("0")
    Visit.objects.all().delete()

    assert live(year_2025).value("visits") == 0
    assert every_value(frozen(year_2025)) == before


def test_a_holiday_entered_for_a_past_date_leaves_a_closed_years_handling_time_unchanged(
    year_2025, administrator
):
    closed_by_hand(year_2025, administrator)
    before = every_value(frozen(year_2025))

    CalendarOverride.objects.create(date=dt.date(2025, 3, 4), kind=DayKind.HOLIDAY, name="临时停工")

    assert live(year_2025).value("average_handling_days") != before["average_handling_days"]
    assert every_value(frozen(year_2025)) == before


def test_a_new_satisfaction_factor_leaves_a_closed_years_rate_unchanged(year_2025, administrator):
    closed_by_hand(year_2025, administrator)
    before = every_value(frozen(year_2025))

    IssuePolicy.objects.filter(pk=1).update(basic_satisfaction_factor=Decimal("0.50"))

    assert live(year_2025).value("satisfaction_rate") == Decimal("0.75")
    assert before["satisfaction_rate"] == Decimal("0.95")
    assert every_value(frozen(year_2025)) == before


def test_the_recompute_view_lists_each_difference_with_possible_reasons(year_2025, administrator):
    snapshot = closed_by_hand(year_2025, administrator)
    with clock.travel_to(IN_2026):
        assert differences(snapshot) == []

    policy = IssuePolicy.current()
    policy.basic_satisfaction_factor = Decimal("0.50")
    policy.save()
    with clock.travel_to(IN_2026):
        found = differences(snapshot)
        reasons = possible_reasons(snapshot)

    totals = [d for d in found if d.breakdown is None]
    assert [(d.figure, d.frozen, d.live) for d in totals] == [
        ("满意率", Decimal("0.95"), Decimal("0.75")),
        ("首次满意率", Decimal("0.95"), Decimal("0.75")),
    ]
    assert any("满意系数" in reason for reason in reasons)


def test_only_an_administrator_closes_a_period(year_2025, leader):
    with clock.travel_to(IN_2026), pytest.raises(NotPermitted):
        close_period(actor=leader, period=year_2025)

    assert not PeriodSnapshot.objects.exists()


def test_a_period_not_yet_over_cannot_be_closed(administrator):
    with clock.travel_to(shanghai(2025, 12, 31, 10)), pytest.raises(InvalidInput, match="尚未结束"):
        close_period(actor=administrator, period=Period.year(2025))

    assert not PeriodSnapshot.objects.exists()


def test_a_period_is_closed_once(year_2025, administrator):
    closed_by_hand(year_2025, administrator)

    with pytest.raises(InvalidInput, match="已关账"):
        closed_by_hand(year_2025, administrator)

    assert PeriodSnapshot.objects.count() == 1


def test_a_custom_range_cannot_be_closed(administrator):
    with clock.travel_to(IN_2026), pytest.raises(InvalidInput, match="整月"):
        close_period(actor=administrator, period=Period(dt.date(2025, 3, 3), dt.date(2025, 3, 10)))


@override_settings(JIANGJIN_REPORT_FREEZE_WORKING_DAYS=3)
def test_the_daily_task_freezes_each_period_the_set_working_days_after_it_ends(desk):
    desk.closed(shanghai(2025, 2, 24, 9), answered=shanghai(2025, 2, 26, 10), rated=shanghai(2025, 2, 27, 10))

    # March ends on Monday 31st; three working days after it is Thursday 3 April.
    too_soon = freeze_due_periods(now=shanghai(2025, 4, 2, 12))
    assert {(s.kind, s.start) for s in too_soon} == {(PeriodKind.MONTH, dt.date(2025, 2, 1))}

    due = freeze_due_periods(now=shanghai(2025, 4, 3, 12))
    assert {(s.kind, s.start) for s in due} == {
        (PeriodKind.MONTH, dt.date(2025, 3, 1)),
        (PeriodKind.QUARTER, dt.date(2025, 1, 1)),
    }
    assert all(s.closed_by is None for s in due)
    assert freeze_due_periods(now=shanghai(2025, 4, 3, 13)) == []  # running twice changes nothing
    february = PeriodSnapshot.objects.get(kind=PeriodKind.MONTH, start=dt.date(2025, 2, 1))
    assert february.data["figures"]["issues_logged"]["value"] == 1
    assert report_for(month(2025, 2)).is_frozen
