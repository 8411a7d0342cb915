"""/api/v1/targets/: dispatchers, leaders and administrators read the annual targets; only administrators set,
change and delete them, and a refused write changes nothing. Validation speaks Chinese."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from services.reports.models import AnnualTarget, Figure
from tests.api.roles import ROLES
from tests.factories import UnitFactory

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.api.people"]

URL = "/api/v1/targets/"
SHAPE = {"code", "message", "fields"}
READERS = ("dispatcher", "leader", "administrator")


def detail(target) -> str:
    return f"{URL}{target.pk}/"


@pytest.fixture
def target(db):
    return AnnualTarget.objects.create(
        year=2026, figure=Figure.CLOSURE_RATE, value=Decimal("1"), note="办结率100%"
    )


def state():
    return list(AnnualTarget.objects.order_by("pk").values())


def invalid(response, field: str, message: str) -> None:
    assert response.status_code == 400, response.content
    body = response.json()
    assert set(body) == SHAPE
    assert body["code"] == "invalid"
    assert body["fields"][field] == [message]


# ---------------------------------------------------------------- reading


@pytest.mark.parametrize("role", ROLES)
def test_only_the_district_wide_roles_read_the_list(role, caller, target):
    response = caller(role).get(URL)

    expected = 200 if role in READERS else 401 if role == "anonymous" else 403
    assert response.status_code == expected
    if expected == 200:
        assert [row["id"] for row in response.json()["results"]] == [target.pk]
    else:
        assert set(response.json()) == SHAPE


@pytest.mark.parametrize("role", ROLES)
def test_only_the_district_wide_roles_read_one_target(role, caller, target):
    response = caller(role).get(detail(target))

    assert response.status_code == (200 if role in READERS else 401 if role == "anonymous" else 403)


def test_a_target_shows_its_figure_unit_and_value(caller, unit):
    made = AnnualTarget.objects.create(year=2026, figure=Figure.SIGN_RATE, unit=unit, value=Decimal("0.98"))

    body = caller("leader").get(detail(made)).json()

    assert body == {
        "id": made.pk,
        "year": 2026,
        "figure": "sign_rate",
        "figure_label": "签收率",
        "unit": unit.pk,
        "unit_name": "区人力社保局",
        "value": 0.98,
        "note": "",
    }


def test_a_missing_target_is_not_found(caller):
    assert caller("administrator").get(f"{URL}999999/").status_code == 404


def test_the_list_filters_by_year_figure_and_unit(caller, unit, target):
    AnnualTarget.objects.create(year=2025, figure=Figure.CLOSURE_RATE, value=Decimal("1"))
    for_unit = AnnualTarget.objects.create(
        year=2026, figure=Figure.CLOSURE_RATE, unit=unit, value=Decimal("1")
    )
    client = caller("dispatcher")

    def ids(**params):
        return [row["id"] for row in client.get(URL, params).json()["results"]]

    assert len(ids(year=2026)) == 2
    assert ids(unit=unit.pk) == [for_unit.pk]
    assert ids(year=2026, district="true") == [target.pk]


def test_listing_costs_the_same_queries_for_2_and_40_targets(caller):
    units = [UnitFactory() for _ in range(20)]

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert caller("leader").get(URL).status_code == 200
        return len(captured)

    for unit in units[:2]:
        AnnualTarget.objects.create(year=2026, figure=Figure.SIGN_RATE, unit=unit, value=Decimal("1"))
    few = count()
    for unit in units:
        AnnualTarget.objects.create(year=2025, figure=Figure.SIGN_RATE, unit=unit, value=Decimal("1"))
        AnnualTarget.objects.get_or_create(
            year=2026, figure=Figure.SIGN_RATE, unit=unit, defaults={"value": Decimal("1")}
        )

    assert few == count() == 2


# ---------------------------------------------------------------- writing


def test_an_administrator_sets_a_district_target(caller):
    response = caller("administrator").post(
        URL, {"year": 2026, "figure": "specialists", "value": 223, "note": "与报告一致"}, format="json"
    )

    assert response.status_code == 201, response.content
    made = AnnualTarget.objects.get()
    assert (made.year, made.figure, made.unit, made.value) == (2026, "specialists", None, Decimal("223"))
    assert response.json()["value"] == 223


def test_an_administrator_sets_a_units_target(caller, unit):
    response = caller("administrator").post(
        URL, {"year": 2026, "figure": "on_time_sign_rate", "unit": unit.pk, "value": "0.95"}, format="json"
    )

    assert response.status_code == 201, response.content
    assert AnnualTarget.objects.get().unit == unit


@pytest.mark.parametrize("role", [role for role in ROLES if role != "administrator"])
def test_nobody_but_an_administrator_may_set_change_or_delete_a_target(role, caller, target):
    client = caller(role)
    before = state()

    created = client.post(URL, {"year": 2026, "figure": "sign_rate", "value": 1}, format="json")
    changed = client.patch(detail(target), {"value": "0.5"}, format="json")
    deleted = client.delete(detail(target))

    expected = 401 if role == "anonymous" else 403
    assert (created.status_code, changed.status_code, deleted.status_code) == (expected,) * 3
    assert state() == before


def test_a_dispatcher_is_told_only_administrators_set_targets(caller):
    body = (
        caller("dispatcher")
        .post(URL, {"year": 2026, "figure": "sign_rate", "value": 1}, format="json")
        .json()
    )

    assert body == {"code": "permission_denied", "message": "只有系统管理员可以设定年度目标。", "fields": {}}


def test_an_administrator_changes_a_target(caller, target):
    response = caller("administrator").patch(detail(target), {"value": "0.98", "note": ""}, format="json")

    assert response.status_code == 200, response.content
    target.refresh_from_db()
    assert (target.value, target.note) == (Decimal("0.98"), "")


def test_an_administrator_deletes_a_target(caller, target):
    assert caller("administrator").delete(detail(target)).status_code == 204
    assert not AnnualTarget.objects.exists()


def test_a_target_is_not_replaced_wholesale(caller, target):
    response = caller("administrator").put(
        detail(target), {"year": 2026, "figure": "sign_rate", "value": 1}, format="json"
    )

    assert response.status_code == 405


# ---------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        (
            {"figure": "closure_rate", "value": "1.5"},
            "value",
            "比率类指标的目标值应在0到1之间，例如0.95表示95%。",
        ),
        ({"figure": "closure_rate", "value": "-0.1"}, "value", "目标值不能为负数。"),
        ({"figure": "specialists", "value": "223.5"}, "value", "该指标按个数计，目标值应为整数。"),
        ({"figure": "specialists", "value": "很多"}, "value", "目标值应为数字。"),
        ({"figure": "happiness", "value": "1"}, "figure", "“happiness”不是可设定目标的指标。"),
        ({"figure": "sign_rate", "value": "1", "year": 1999}, "year", "年度应为2000至2100之间的整数。"),
        ({"figure": "sign_rate", "value": "1", "unit": 999999}, "unit", "承办单位不存在。"),
        ({"figure": "sign_rate", "value": "1", "note": "长" * 201}, "note", "说明不能超过200个字。"),
    ],
)
def test_a_target_that_breaks_a_rule_is_refused_in_chinese_and_nothing_is_written(
    caller, body, field, message
):
    response = caller("administrator").post(URL, {"year": 2026, **body}, format="json")

    invalid(response, field, message)
    assert not AnnualTarget.objects.exists()


def test_a_second_district_target_for_the_same_year_and_figure_is_refused(caller, target):
    response = caller("administrator").post(
        URL, {"year": 2026, "figure": "closure_rate", "value": "0.9"}, format="json"
    )

    invalid(response, "figure", "该年度该指标的全区目标已存在。")
    assert AnnualTarget.objects.count() == 1


def test_a_second_target_for_the_same_unit_is_refused_but_another_unit_may_have_one(caller, unit, other_unit):
    client = caller("administrator")
    first = {"year": 2026, "figure": "sign_rate", "unit": unit.pk, "value": "0.9"}
    assert client.post(URL, first, format="json").status_code == 201

    again = client.post(URL, first, format="json")
    elsewhere = client.post(URL, {**first, "unit": other_unit.pk}, format="json")

    invalid(again, "figure", "该年度该单位该指标的目标已存在。")
    assert elsewhere.status_code == 201


def test_a_change_may_not_collide_with_another_target(caller, target):
    other = AnnualTarget.objects.create(year=2026, figure=Figure.SIGN_RATE, value=Decimal("1"))
    before = state()

    response = caller("administrator").patch(detail(other), {"figure": "closure_rate"}, format="json")

    invalid(response, "figure", "该年度该指标的全区目标已存在。")
    assert state() == before


def test_a_change_of_figure_is_checked_against_the_value_already_set(caller):
    count = AnnualTarget.objects.create(year=2026, figure=Figure.ISSUES_LOGGED, value=Decimal("250"))

    response = caller("administrator").patch(detail(count), {"figure": "closure_rate"}, format="json")

    invalid(response, "value", "比率类指标的目标值应在0到1之间，例如0.95表示95%。")
