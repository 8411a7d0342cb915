"""/api/v1/units/ and /api/v1/categories/: reference data every signed-in person may read, nobody may write."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from services.departments.models import Unit, UnitKind
from services.issues.models import Category
from tests.api.roles import ROLES, SIGNED_IN
from tests.factories import CategoryFactory, UnitFactory

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.api.people"]

UNITS = "/api/v1/units/"
CATEGORIES = "/api/v1/categories/"


@pytest.fixture
def units(unit, other_unit):
    return {
        "labour": unit,
        "land": other_unit,
        "power": UnitFactory(
            name="国网重庆市电力公司江津供电分公司", short_name="江津供电", kind=UnitKind.UTILITY
        ),
        "shuangfu": UnitFactory(name="江津区双福街道办事处", short_name="双福街道", kind=UnitKind.TOWN),
        "retired": UnitFactory(
            name="江津区原工业园区管委会", short_name="原园区", kind=UnitKind.PARK, is_active=False
        ),
    }


@pytest.fixture
def tree(units):
    labour = CategoryFactory(name="用工", code="labour", sort=1, default_lead_unit=units["labour"])
    energy = CategoryFactory(name="用能", code="energy", sort=3, default_lead_unit=units["power"])
    land = CategoryFactory(name="用地", code="land", sort=2, default_lead_unit=units["land"])
    return {
        "labour": labour,
        "energy": energy,
        "land": land,
        "hiring": CategoryFactory(
            name="招工难", code="hiring", parent=labour, default_lead_unit=None, sort=1
        ),
        "training": CategoryFactory(
            name="技能培训", code="training", parent=labour, default_lead_unit=units["shuangfu"], sort=2
        ),
        "retired_item": CategoryFactory(
            name="已停用事项", code="retired_item", parent=labour, is_active=False, default_lead_unit=None
        ),
        "retired_top": CategoryFactory(name="停用分类", code="retired_top", is_active=False),
        "power_cut": CategoryFactory(name="停电", code="power_cut", parent=energy, default_lead_unit=None),
    }


# ---------------------------------------------------------------- the permission matrix


@pytest.mark.parametrize("role", ROLES)
def test_every_signed_in_role_reads_the_active_units(role, caller, units):
    response = caller(role).get(UNITS)

    if role == "anonymous":
        assert response.status_code == 401
        return
    assert response.status_code == 200
    assert {row["short_name"] for row in response.json()["results"]} == {
        "区人力社保局",
        "区规划自然资源局",
        "江津供电",
        "双福街道",
    }


@pytest.mark.parametrize("role", ROLES)
def test_an_active_unit_opens_for_every_signed_in_role(role, caller, units):
    response = caller(role).get(f"{UNITS}{units['labour'].pk}/")

    assert response.status_code == (401 if role == "anonymous" else 200)


@pytest.mark.parametrize("role", SIGNED_IN)
def test_a_retired_unit_is_not_found_like_one_that_never_existed(role, caller, units):
    retired = caller(role).get(f"{UNITS}{units['retired'].pk}/")
    missing = caller(role).get(f"{UNITS}987654321/")

    assert retired.status_code == missing.status_code == 404
    assert retired.json() == missing.json()


@pytest.mark.parametrize("role", ROLES)
def test_every_signed_in_role_reads_the_category_tree(role, caller, tree):
    response = caller(role).get(CATEGORIES)

    assert response.status_code == (401 if role == "anonymous" else 200)


@pytest.mark.parametrize("role", SIGNED_IN)
@pytest.mark.parametrize("url", [UNITS, CATEGORIES])
def test_nobody_may_write_reference_data_through_the_api(role, url, caller, units, tree):
    before = (list(Unit.objects.order_by("pk").values()), list(Category.objects.order_by("pk").values()))

    response = caller(role).post(url, {"name": "新单位🏢", "short_name": "新", "code": "new"}, format="json")

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert (
        list(Unit.objects.order_by("pk").values()),
        list(Category.objects.order_by("pk").values()),
    ) == before


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_a_unit_cannot_be_changed_or_deleted_through_the_api(method, caller, units):
    response = getattr(caller("administrator"), method)(
        f"{UNITS}{units['labour'].pk}/", {"short_name": "改"}, format="json"
    )

    assert response.status_code == 405
    units["labour"].refresh_from_db()
    assert units["labour"].short_name == "区人力社保局"


# ---------------------------------------------------------------- units


def test_a_unit_is_shown_with_its_kind_in_chinese(caller, units):
    body = caller("enterprise_user").get(f"{UNITS}{units['power'].pk}/").json()

    assert body == {
        "id": units["power"].pk,
        "code": units["power"].code,
        "name": "国网重庆市电力公司江津供电分公司",
        "short_name": "江津供电",
        "kind": "utility",
        "kind_label": "公用事业单位",
    }


def test_the_kind_label_is_english_for_an_english_client(caller, units):
    body = caller("dispatcher").get(f"{UNITS}{units['shuangfu'].pk}/", HTTP_ACCEPT_LANGUAGE="en").json()

    assert body["kind"] == "town"
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in body["kind_label"])


def test_units_filter_by_kind_and_search_by_name(caller, units):
    client = caller("dispatcher")

    towns = client.get(UNITS, {"kind": "town"}).json()["results"]
    found = client.get(UNITS, {"search": "供电"}).json()["results"]

    assert [row["short_name"] for row in towns] == ["双福街道"]
    assert [row["short_name"] for row in found] == ["江津供电"]


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ({"kind": "外星单位👽"}, 400),
        ({"search": "x" * 101}, 400),
        ({"search": "\x00"}, 400),
        ({"page": "0"}, 404),
        ({"page": "第二页"}, 404),
        ({"page": "999"}, 404),
    ],
)
def test_bad_unit_queries_are_answered_with_the_one_error_shape(query, status, caller, units):
    response = caller("dispatcher").get(UNITS, query)

    assert response.status_code == status
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    if status == 400:
        assert list(body["fields"]) == list(query)


def test_units_page_with_a_total_count(caller, units):
    body = caller("dispatcher").get(UNITS, {"page_size": 3}).json()

    assert body["count"] == 4
    assert len(body["results"]) == 3
    assert body["next"] is not None


# ---------------------------------------------------------------- categories


def test_the_tree_lists_active_level_one_categories_in_order_with_their_active_items(caller, tree):
    body = caller("enterprise_user").get(CATEGORIES).json()

    tops = body["results"]
    assert [row["name"] for row in tops] == ["用工", "用地", "用能"]
    labour = tops[0]
    assert [child["name"] for child in labour["children"]] == ["招工难", "技能培训"]
    assert labour["default_lead_unit"]["short_name"] == "区人力社保局"


def test_an_item_without_its_own_lead_unit_inherits_its_parents(caller, tree):
    labour = caller("dispatcher").get(CATEGORIES).json()["results"][0]
    hiring, training = labour["children"]

    assert hiring["default_lead_unit"] is None
    assert hiring["lead_unit"]["short_name"] == "区人力社保局"
    assert training["default_lead_unit"]["short_name"] == "双福街道"
    assert training["lead_unit"]["short_name"] == "双福街道"


def test_a_category_without_any_lead_unit_says_so(caller, db):
    CategoryFactory(name="权益保护", code="rights", default_lead_unit=None)

    (rights,) = caller("dispatcher").get(CATEGORIES).json()["results"]

    assert rights["default_lead_unit"] is None
    assert rights["children"] == []


# ---------------------------------------------------------------- query counts


def _more_categories(units, count: int) -> None:
    for n in range(count):
        top = CategoryFactory(name=f"大类{n}", default_lead_unit=units["labour"])
        for m in range(3):
            CategoryFactory(name=f"小类{n}-{m}", parent=top, default_lead_unit=units["power"] if m else None)


def test_the_category_tree_costs_the_same_queries_for_three_or_thirty_categories(
    caller, units, django_assert_max_num_queries
):
    _more_categories(units, 3)
    with CaptureQueriesContext(connection) as few:
        caller("dispatcher").get(CATEGORIES)
    _more_categories(units, 27)

    with django_assert_max_num_queries(3):
        response = caller("dispatcher").get(CATEGORIES)

    assert response.json()["count"] == 30
    assert len(few) == 3


def test_the_unit_list_costs_the_same_queries_for_five_units_or_fifty(
    caller, units, django_assert_max_num_queries
):
    with CaptureQueriesContext(connection) as few:
        caller("dispatcher").get(UNITS)
    for n in range(45):
        UnitFactory(name=f"江津区第{n}街道", short_name=f"街道{n}", kind=UnitKind.TOWN)

    with django_assert_max_num_queries(2):
        response = caller("dispatcher").get(UNITS, {"page_size": 100})

    assert response.json()["count"] == 49
    assert len(few) == 2


def test_a_unit_detail_costs_one_query(caller, units, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        assert caller("handler").get(f"{UNITS}{units['land'].pk}/").status_code == 200
