"""GET /api/v1/reports/summary/?year=YYYY: the figures of DESIGN §6 beside their targets, for the district-wide
roles only; bad input is a 400 in the one error shape. (The clock stands at 3 March 2026: 2025 is over.)"""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from services.reports.figures import FIGURES
from services.reports.models import AnnualTarget, Figure
from tests.api.roles import ROLES
from tests.factories import UnitFactory
from tests.issues.state import shanghai
from tests.reports.desk import Desk

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.api.people"]

URL = "/api/v1/reports/summary/"
SHAPE = {"code", "message", "fields"}
READERS = ("dispatcher", "leader", "administrator")

MON = shanghai(2025, 3, 3, 9)
WED = shanghai(2025, 3, 5, 10)
THU = shanghai(2025, 3, 6, 10)


@pytest.fixture
def desk(enterprise_user, dispatcher, handler, category):
    return Desk(enterprise_user=enterprise_user, dispatcher=dispatcher, handler=handler, category=category)


@pytest.fixture
def year_2025(desk):
    """Two issues closed, one still being handled at the year's end, one never accepted."""
    desk.closed(MON, answered=WED, rated=THU)
    desk.closed(MON, answered=WED, rated=THU)
    desk.handling(MON)
    desk.file(MON)


def get(client, **params):
    return client.get(URL, params)


# ---------------------------------------------------------------- who may read


@pytest.mark.parametrize("role", ROLES)
def test_only_dispatchers_leaders_and_administrators_read_the_summary(role, caller):
    response = get(caller(role), year=2025)

    expected = 200 if role in READERS else 401 if role == "anonymous" else 403
    assert response.status_code == expected
    if expected != 200:
        assert set(response.json()) == SHAPE


def test_a_refused_role_is_told_why(caller):
    body = get(caller("handler"), year=2025).json()

    assert body == {
        "code": "permission_denied",
        "message": "只有调度员、区领导和系统管理员可以查看统计报表。",
        "fields": {},
    }


# ---------------------------------------------------------------- what it says


def test_every_figure_comes_with_its_value_target_and_label(caller, year_2025):
    AnnualTarget.objects.create(year=2025, figure=Figure.CLOSURE_RATE, value=Decimal("1"))
    AnnualTarget.objects.create(year=2025, figure=Figure.ISSUES_LOGGED, value=Decimal("250"))
    AnnualTarget.objects.create(year=2024, figure=Figure.SPECIALISTS, value=Decimal("200"))

    body = get(caller("leader"), year=2025).json()

    assert body["year"] == 2025
    assert body["is_final"] is True
    assert list(body["figures"]) == [spec.key for spec in FIGURES]
    assert body["figures"]["closure_rate"] == {
        "value": 0.6667,
        "target": 1,
        "label": "办结率",
        "kind": "rate",
        "numerator": 2,
        "denominator": 3,
        "parts": {"accepted_closed": 2, "accepted": 3},
    }
    assert body["figures"]["issues_logged"] == {
        "value": 4,
        "target": 250,
        "label": "录入问题数",
        "kind": "count",
        "numerator": None,
        "denominator": None,
        "parts": {"logged": 4},
    }
    assert (body["is_frozen"], body["frozen_at"]) == (False, None)
    assert body["figures"]["specialists"]["target"] is None  # 2024's target is not 2025's
    assert body["figures"]["satisfaction_rate"]["value"] == 1
    assert body["figures"]["average_handling_days"]["value"] == 3
    assert body["rows"] == []
    assert body["sentence"] == "0名专员对0家规上工业企业进行实地走访，平台录入问题4件，办结率66.67%"
    assert body["warnings"] == []


def test_a_year_still_running_is_flagged_and_warned_about(caller):
    body = get(caller("dispatcher"), year=2026).json()

    assert body["is_final"] is False
    assert body["warnings"][0].startswith("统计期尚未结束")


def test_rates_without_a_denominator_are_null(caller):
    figures = get(caller("dispatcher"), year=2025).json()["figures"]

    assert figures["closure_rate"]["value"] is None
    assert figures["issues_logged"]["value"] == 0


def test_a_unit_filter_uses_that_units_targets_and_the_districts_rate_targets(caller, unit, year_2025):
    AnnualTarget.objects.create(year=2025, figure=Figure.CLOSURE_RATE, value=Decimal("1"))
    AnnualTarget.objects.create(year=2025, figure=Figure.SIGN_RATE, value=Decimal("0.98"))
    AnnualTarget.objects.create(year=2025, figure=Figure.ISSUES_LOGGED, value=Decimal("250"))
    AnnualTarget.objects.create(year=2025, figure=Figure.SIGN_RATE, unit=unit, value=Decimal("0.9"))

    body = get(caller("dispatcher"), year=2025, unit=unit.pk).json()

    figures = body["figures"]
    assert body["unit"] == unit.pk
    assert body["sentence"] is None  # the sentence speaks for the district
    assert figures["sign_rate"]["target"] == 0.9
    assert figures["closure_rate"]["target"] == 1
    assert figures["issues_logged"]["target"] is None  # a district count is not a unit's
    assert figures["issues_logged"]["value"] == 3  # the fourth was never dispatched
    assert figures["visits"]["value"] is None  # visits belong to no unit


def test_rows_by_unit_carry_each_units_own_targets(caller, unit, other_unit, year_2025):
    AnnualTarget.objects.create(year=2025, figure=Figure.ISSUES_LOGGED, unit=unit, value=Decimal("20"))
    AnnualTarget.objects.create(year=2025, figure=Figure.ISSUES_LOGGED, unit=other_unit, value=Decimal("5"))

    body = get(caller("dispatcher"), year=2025, by="unit").json()

    rows = {row["key"]: row for row in body["rows"]}
    assert set(rows) == {unit.pk, None}
    assert rows[unit.pk]["label"] == "区人力社保局"
    assert rows[unit.pk]["figures"]["issues_logged"] == {
        "value": 3,
        "target": 20,
        "label": "录入问题数",
        "kind": "count",
        "numerator": None,
        "denominator": None,
        "parts": {"logged": 3},
    }
    assert rows[None]["figures"]["issues_logged"]["value"] == 1


def test_rows_by_month_carry_rate_targets_but_not_annual_counts(caller, year_2025):
    AnnualTarget.objects.create(year=2025, figure=Figure.CLOSURE_RATE, value=Decimal("1"))
    AnnualTarget.objects.create(year=2025, figure=Figure.ISSUES_LOGGED, value=Decimal("250"))

    rows = get(caller("dispatcher"), year=2025, by="month").json()["rows"]

    assert [row["key"] for row in rows] == [f"2025-{month:02d}" for month in range(1, 13)]
    march = rows[2]["figures"]
    assert (march["issues_logged"]["value"], march["issues_logged"]["target"]) == (4, None)
    assert (march["closure_rate"]["value"], march["closure_rate"]["target"]) == (0.6667, 1)


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({}, "year", "请指定年度（year）。"),
        ({"year": "二〇二五"}, "year", "年度应为2000至2100之间的整数。"),
        ({"year": "1999"}, "year", "年度应为2000至2100之间的整数。"),
        ({"year": "99999999999999999999"}, "year", "年度应为2000至2100之间的整数。"),
        ({"year": "2025", "by": "week"}, "by", "分组方式应为 unit、category、town、park 或 month。"),
        ({"year": "2025", "unit": "999999"}, "unit", "承办单位不存在。"),
        ({"year": "2025", "unit": "区人力社保局"}, "unit", "承办单位应以编号表示。"),
    ],
)
def test_bad_input_is_a_400_in_the_one_error_shape_in_chinese(caller, params, field, message):
    response = caller("dispatcher").get(URL, params)

    assert response.status_code == 400
    assert response.json() == {"code": "invalid", "message": message, "fields": {field: [message]}}


# ---------------------------------------------------------------- cost


def queries(client, **params) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = get(client, **params)
    assert response.status_code == 200, response.content
    return len(captured)


@pytest.mark.parametrize("by", [None, "unit", "month"])
def test_the_summary_costs_the_same_queries_for_2_and_20_issues(caller, desk, other_unit, by):
    params = {"year": 2025, **({"by": by} if by else {})}
    UnitFactory()

    def build(count):
        for n in range(count):
            day = MON + (n % 20) * (THU - MON)
            desk.closed(day, answered=day + (WED - MON), rated=day + (THU - MON))

    build(2)
    few = queries(caller("leader"), **params)
    build(18)
    many = queries(caller("leader"), **params)

    assert few == many
    assert many <= 32  # each breakdown reads answer days too, and the period's snapshot is looked up


def test_a_closed_year_is_read_from_its_snapshot_and_says_so(caller, year_2025, administrator):
    from services.core import clock
    from services.reports.actions import close_period
    from services.visits.coverage import Period
    from services.workcalendar.models import CalendarOverride, DayKind

    with clock.travel_to(shanghai(2026, 2, 2, 10)):
        snapshot = close_period(actor=administrator, period=Period.year(2025))
    # A holiday entered later for a day the two closed issues spent in handling.
    CalendarOverride.objects.create(date=MON.date() + dt.timedelta(days=1), kind=DayKind.HOLIDAY, name="停电")

    body = get(caller("leader"), year=2025).json()

    assert body["is_frozen"] is True and body["frozen_at"] is not None
    assert body["figures"]["average_handling_days"]["value"] == 3
    assert snapshot.data["figures"]["average_handling_days"]["value"] == "3.00"
