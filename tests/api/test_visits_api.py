"""/api/v1/visits/: who sees which visits, and how a serving specialist logs one with the problems found."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from services.issues.models import Channel, Issue
from services.visits.models import Method, Visit
from tests.api.roles import ROLES, SIGNED_IN
from tests.factories import CategoryFactory, EnterpriseFactory, VisitFactory
from tests.issues.state import database_state, shanghai

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.api.people"]

LIST = "/api/v1/visits/"
DISTRICT = {"dispatcher", "leader", "administrator"}


def detail(visit) -> str:
    return f"{LIST}{visit.pk}/"


def ids(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


@pytest.fixture
def own_visit(enterprise, specialist):
    return VisitFactory(
        enterprise=enterprise,
        specialist=specialist,
        visited_at=shanghai(2026, 2, 26, 14),
        people_met="周海燕（办公室主任）",
        orders="一季度订单同比增长12%📈",
    )


@pytest.fixture
def other_visit(other_enterprise, other_specialist):
    return VisitFactory(
        enterprise=other_enterprise, specialist=other_specialist, visited_at=shanghai(2026, 2, 20, 10)
    )


def visit_body(target, **overrides) -> dict:
    return {
        "enterprise": target.pk,
        "visited_at": "2026-03-02T15:30:00+08:00",
        "method": "on_site",
        "people_met": "周海燕、李厂长",
        "orders": "订单排到6月，产能吃紧。",
        "labour": "缺焊工30名。",
        "policies_explained": "讲解稳岗返还和技能提升补贴政策。",
        **overrides,
    }


# ---------------------------------------------------------------- the permission matrix


@pytest.mark.parametrize("role", ROLES)
def test_the_list_shows_each_role_exactly_the_visits_it_may_see(role, caller, own_visit, other_visit):
    response = caller(role).get(LIST)

    if role == "anonymous":
        assert response.status_code == 401
        return
    assert response.status_code == 200
    expected = {
        "enterprise_user": {own_visit.pk},
        "specialist": {own_visit.pk},
        "handler": set(),
        "unit_head": set(),
    }.get(role, {own_visit.pk, other_visit.pk})
    assert ids(response) == expected


OWN_DETAIL = {"anonymous": 401, "handler": 404, "unit_head": 404}
OTHER_DETAIL = {"anonymous": 401, "handler": 404, "unit_head": 404, "enterprise_user": 404, "specialist": 404}


@pytest.mark.parametrize("role", ROLES)
def test_a_visit_to_the_callers_enterprise_opens_for_the_roles_that_see_it(role, caller, own_visit):
    assert caller(role).get(detail(own_visit)).status_code == OWN_DETAIL.get(role, 200)


@pytest.mark.parametrize("role", ROLES)
def test_a_visit_to_another_enterprise_opens_only_for_district_staff(role, caller, other_visit):
    assert caller(role).get(detail(other_visit)).status_code == OTHER_DETAIL.get(role, 200)


@pytest.mark.parametrize("role", ["enterprise_user", "specialist", "handler", "unit_head"])
def test_a_visit_out_of_sight_looks_exactly_like_one_that_does_not_exist(role, caller, other_visit):
    hidden = caller(role).get(detail(other_visit))
    missing = caller(role).get(f"{LIST}987654321/")

    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()


@pytest.mark.parametrize("role", ROLES)
def test_only_the_serving_specialist_may_log_a_visit_and_a_refusal_changes_nothing(role, caller, enterprise):
    before = database_state()

    response = caller(role).post(LIST, visit_body(enterprise), format="json")

    if role == "specialist":
        assert response.status_code == 201
        return
    assert response.status_code == (401 if role == "anonymous" else 403)
    if role != "anonymous":
        assert response.json() == {
            "code": "not_permitted",
            "message": "只有该企业的包联服务专员可以录入走访记录。",
            "fields": {},
        }
    assert database_state() == before


def test_the_refusal_is_english_for_an_english_client(caller, enterprise):
    response = caller("handler").post(LIST, visit_body(enterprise), format="json", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 403
    assert (
        response.json()["message"]
        == "Only the service specialist assigned to this enterprise can record visits."
    )


def test_a_refusal_comes_before_the_body_is_read(caller):
    response = caller("dispatcher").post(LIST, {"visited_at": "明天"}, format="json")

    assert response.status_code == 403


def test_a_specialist_cannot_log_a_visit_to_an_enterprise_it_does_not_serve(caller, other_enterprise):
    before = database_state()

    hidden = caller("specialist").post(LIST, visit_body(other_enterprise), format="json")
    missing = caller("specialist").post(
        LIST, {**visit_body(other_enterprise), "enterprise": 987654321}, format="json"
    )

    assert hidden.status_code == missing.status_code == 400
    assert list(hidden.json()["fields"]) == list(missing.json()["fields"]) == ["enterprise"]
    assert hidden.json()["fields"]["enterprise"][0].replace(str(other_enterprise.pk), "?") == missing.json()[
        "fields"
    ]["enterprise"][0].replace("987654321", "?")
    assert database_state() == before


def test_a_specialist_without_enterprises_cannot_log_any_visit(client_for, idle_specialist, enterprise):
    response = client_for(idle_specialist).post(LIST, visit_body(enterprise), format="json")

    assert response.status_code == 400
    assert "enterprise" in response.json()["fields"]
    assert not Visit.objects.exists()


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
@pytest.mark.parametrize("role", SIGNED_IN)
def test_no_role_may_change_or_delete_a_visit_through_the_api(method, role, caller, own_visit):
    response = getattr(caller(role), method)(detail(own_visit), {"orders": "改写😈"}, format="json")

    assert response.status_code == 405
    own_visit.refresh_from_db()
    assert own_visit.orders == "一季度订单同比增长12%📈"


# ---------------------------------------------------------------- logging a visit


def test_the_specialist_logs_a_visit_and_every_problem_found_becomes_a_linked_issue(
    caller, enterprise, specialist, category, dispatcher
):
    land = CategoryFactory(name="用地", parent=None)
    body = visit_body(
        enterprise,
        companions=[dispatcher.pk],
        problems=[
            {
                "category": category.pk,
                "title": "招工难，急需焊工30名",
                "description": "订单增长，车间缺焊工。",
            },
            {
                "category": land.pk,
                "title": "扩建用地指标未落实",
                "description": "二期厂房需用地20亩，请协调。🏭",
                "urgency": "urgent",
                "complexity": "complex",
            },
        ],
    )

    response = caller("specialist").post(LIST, body, format="json")

    assert response.status_code == 201
    created = response.json()
    visit = Visit.objects.get(pk=created["id"])
    assert visit.specialist == specialist
    assert visit.method == Method.ON_SITE
    assert created["is_on_site"] is True
    assert created["labour"] == "缺焊工30名。"
    assert created["companions"] == [{"id": dispatcher.pk, "name": "王调度"}]
    assert created["problems_found"] == 2
    issues = Issue.objects.filter(visit=visit).order_by("pk")
    assert [i.title for i in issues] == ["招工难，急需焊工30名", "扩建用地指标未落实"]
    assert {i.channel for i in issues} == {Channel.VISIT}
    assert {i.filed_by_id for i in issues} == {specialist.pk}
    assert [row["title"] for row in created["issues"]] == ["招工难，急需焊工30名", "扩建用地指标未落实"]
    assert created["issues"][0]["status"] == "submitted"
    assert created["issues"][0]["status_label"] == "待受理"


def test_the_enterprise_then_sees_the_visit_and_its_problems(caller, enterprise, category):
    body = visit_body(
        enterprise,
        method="phone",
        problems=[{"category": category.pk, "title": "电费偏高", "description": "想了解峰谷电价政策。"}],
    )
    visit_id = caller("specialist").post(LIST, body, format="json").json()["id"]

    seen = caller("enterprise_user").get(f"{LIST}{visit_id}/").json()

    assert seen["method"] == "phone"
    assert seen["method_label"] == "电话"
    assert seen["is_on_site"] is False
    assert [row["title"] for row in seen["issues"]] == ["电费偏高"]


def test_a_bad_problem_refuses_the_whole_visit_and_names_the_problem(caller, enterprise, category):
    before = database_state()
    body = visit_body(
        enterprise,
        problems=[
            {"category": category.pk, "title": "招工难", "description": "缺焊工。"},
            {"category": category.pk, "title": "   ", "description": "标题是空的。"},
        ],
    )

    response = caller("specialist").post(LIST, body, format="json")

    assert response.status_code == 400
    fields = response.json()["fields"]
    assert list(fields) == ["problems.1.title"]
    assert database_state() == before


def test_a_problem_with_a_control_character_is_refused_with_the_platform_rule(caller, enterprise, category):
    body = visit_body(
        enterprise, problems=[{"category": category.pk, "title": "招工\u0007难", "description": "缺焊工。"}]
    )

    response = caller("specialist").post(LIST, body, format="json")

    assert response.status_code == 400
    assert response.json()["fields"] == {"problems.0.title": ["标题含有不可见的控制字符，请删除后重试。"]}


def test_a_problem_in_a_retired_category_is_refused(caller, enterprise, category):
    category.is_active = False
    category.save(update_fields=["is_active"])
    body = visit_body(
        enterprise, problems=[{"category": category.pk, "title": "招工难", "description": "缺人"}]
    )

    response = caller("specialist").post(LIST, body, format="json")

    assert response.status_code == 400
    assert response.json()["fields"] == {"problems.0.category": ["该分类已停用，请选择其他分类。"]}


def test_a_visit_in_the_future_is_refused(caller, enterprise):
    response = caller("specialist").post(
        LIST, visit_body(enterprise, visited_at="2026-03-04T09:00:00+08:00"), format="json"
    )

    assert response.status_code == 400
    assert response.json()["fields"] == {"visited_at": ["走访时间不能晚于现在。"]}
    assert not Visit.objects.exists()


def test_an_enterprise_user_cannot_be_named_a_companion(caller, enterprise, enterprise_user):
    response = caller("specialist").post(
        LIST, visit_body(enterprise, companions=[enterprise_user.pk]), format="json"
    )

    assert response.status_code == 400
    assert "companions.0" in response.json()["fields"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"method": "飞鸽传书🕊"}, "method"),
        ({"visited_at": "上周三"}, "visited_at"),
        ({"visited_at": "10000-01-01T00:00:00+08:00"}, "visited_at"),
        ({"enterprise": "江记酒庄"}, "enterprise"),
        ({"enterprise": 2**70}, "enterprise"),
        ({"orders": "订" * 5001}, "orders"),
        ({"people_met": "李\x00厂长"}, "people_met"),
        ({"companions": "王调度"}, "companions"),
        ({"companions": list(range(1, 30))}, "companions"),
        ({"problems": {"title": "不是列表"}}, "problems"),
        ({"problems": [{"category": 1}] * 21}, "problems"),
    ],
)
def test_bad_input_is_a_400_that_names_the_field_and_writes_nothing(change, field, caller, enterprise):
    before = database_state()

    response = caller("specialist").post(LIST, visit_body(enterprise, **change), format="json")

    assert response.status_code == 400
    assert any(name == field or name.startswith(f"{field}.") for name in response.json()["fields"])
    assert database_state() == before


def test_a_bad_method_is_explained_in_english_to_an_english_client(caller, enterprise):
    response = caller("specialist").post(
        LIST, visit_body(enterprise, method="carrier_pigeon"), format="json", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 400
    assert response.json()["fields"]["method"] == ['"carrier_pigeon" is not a valid choice.']


def test_a_bad_method_is_explained_in_chinese_by_default(caller, enterprise):
    response = caller("specialist").post(LIST, visit_body(enterprise, method="carrier_pigeon"), format="json")

    assert response.json()["fields"]["method"] == ["“carrier_pigeon” 不是合法选项。"]


def test_logging_visits_shares_the_filing_limit_but_reading_does_not(caller, enterprise):
    from django.conf import settings

    limit = int(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["filing"].split("/")[0])
    client = caller("specialist")
    for n in range(limit):
        at = (shanghai(2026, 3, 2, 9) + dt.timedelta(minutes=n)).isoformat()
        assert client.post(LIST, visit_body(enterprise, visited_at=at), format="json").status_code == 201

    refused = client.post(LIST, visit_body(enterprise), format="json")

    assert refused.status_code == 429
    assert refused.json()["code"] == "throttled"
    assert "Retry-After" in refused
    assert Visit.objects.count() == limit
    assert client.get(LIST).status_code == 200


# ---------------------------------------------------------------- filters and pages


@pytest.fixture
def season(enterprise, specialist, other_enterprise, other_specialist):
    second = EnterpriseFactory(name="重庆德感机械有限公司")
    from tests.factories import AssignmentFactory

    AssignmentFactory(enterprise=second, specialist=specialist)
    return {
        "jan": VisitFactory(
            enterprise=enterprise, specialist=specialist, visited_at=shanghai(2026, 1, 31, 23, 30)
        ),
        "feb": VisitFactory(
            enterprise=second,
            specialist=specialist,
            visited_at=shanghai(2026, 2, 1, 0, 30),
            method=Method.PHONE,
        ),
        "mar": VisitFactory(enterprise=enterprise, specialist=specialist, visited_at=shanghai(2026, 3, 1, 9)),
        "other": VisitFactory(
            enterprise=other_enterprise, specialist=other_specialist, visited_at=shanghai(2026, 2, 15, 9)
        ),
    }


def test_filters_by_enterprise_specialist_and_method(caller, season, enterprise, other_specialist):
    client = caller("dispatcher")

    assert ids(client.get(LIST, {"enterprise": enterprise.pk})) == {season["jan"].pk, season["mar"].pk}
    assert ids(client.get(LIST, {"specialist": other_specialist.pk})) == {season["other"].pk}
    assert ids(client.get(LIST, {"method": "phone"})) == {season["feb"].pk}


def test_a_date_range_means_whole_days_in_jiangjin(caller, season):
    february = caller("leader").get(LIST, {"visited_from": "2026-02-01", "visited_to": "2026-02-28"})

    assert ids(february) == {season["feb"].pk, season["other"].pk}


def test_extreme_dates_are_answered_not_crashed(caller, season):
    client = caller("leader")

    assert len(ids(client.get(LIST, {"visited_from": "0001-01-01", "visited_to": "9999-12-31"}))) == 4
    assert ids(client.get(LIST, {"visited_from": "9999-12-31"})) == set()


@pytest.mark.parametrize(
    "query",
    [
        {"visited_from": "2026-02-30"},
        {"visited_to": "昨天"},
        {"method": "飞鸽"},
        {"enterprise": "-3"},
        {"specialist": "1.5"},
    ],
)
def test_a_bad_filter_is_a_400(query, caller, season):
    response = caller("dispatcher").get(LIST, query)

    assert response.status_code == 400
    assert set(response.json()["fields"]) == set(query)


def test_the_list_is_newest_first_and_pages_by_cursor(caller, season):
    client = caller("leader")
    first = client.get(LIST, {"page_size": 3}).json()
    second = client.get(first["next"]).json()

    listed = [row["id"] for row in first["results"] + second["results"]]
    assert listed == [season[k].pk for k in ("mar", "other", "feb", "jan")]
    assert second["next"] is None


# ---------------------------------------------------------------- query counts


def _more_visits(enterprise, specialist, category, count: int) -> None:
    from services.issues.actions import file_issue

    for n in range(count):
        visit = VisitFactory(
            enterprise=enterprise, specialist=specialist, visited_at=shanghai(2026, 2, 1 + n % 27)
        )
        visit.companions.set([specialist])
        file_issue(
            actor=specialist,
            enterprise=enterprise,
            category=category,
            title=f"走访发现问题{n}",
            description="需协调。",
            visit=visit,
        )


def test_the_list_costs_the_same_queries_for_two_visits_or_thirty(
    caller, enterprise, specialist, category, django_assert_max_num_queries
):
    _more_visits(enterprise, specialist, category, 2)
    with CaptureQueriesContext(connection) as few:
        caller("dispatcher").get(LIST)
    _more_visits(enterprise, specialist, category, 28)

    with django_assert_max_num_queries(1):
        response = caller("dispatcher").get(LIST, {"page_size": 100})

    assert len(response.json()["results"]) == 30
    assert {row["problems_found"] for row in response.json()["results"]} == {1}
    assert len(few) == 1


def test_the_detail_costs_a_fixed_number_of_queries_however_many_problems(
    caller, enterprise, specialist, category, django_assert_max_num_queries
):
    from services.issues.actions import file_issue

    visit = VisitFactory(enterprise=enterprise, specialist=specialist, visited_at=shanghai(2026, 2, 2))
    for n in range(12):
        file_issue(
            actor=specialist,
            enterprise=enterprise,
            category=category,
            title=f"问题{n}",
            description="协调",
            visit=visit,
        )

    with django_assert_max_num_queries(4):
        response = caller("specialist").get(detail(visit))

    assert len(response.json()["issues"]) == 12


def test_a_visit_time_is_shown_in_jiangjin_time(caller, own_visit):
    body = caller("dispatcher").get(detail(own_visit)).json()

    assert dt.datetime.fromisoformat(body["visited_at"]) == shanghai(2026, 2, 26, 14)
    assert body["visited_at"].endswith("+08:00")


# ---------------------------------------------------------------- the phone's key: a repeat is not a second visit

KEY = "0b8f6a52-3c1d-4e7a-9f20-5d4c3b2a1908"


def test_a_visit_sent_again_with_the_same_key_returns_the_first_result(
    caller, enterprise, specialist, category
):
    body = visit_body(
        enterprise,
        client_key=KEY,
        problems=[{"category": category.pk, "title": "缺焊工30名", "description": "订单增长，夜班缺人。"}],
    )
    specialist_client = caller("specialist")

    first = specialist_client.post(LIST, body, format="json")
    again = specialist_client.post(LIST, body, format="json")

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert Visit.objects.count() == 1
    assert Issue.objects.filter(visit_id=first.json()["id"]).count() == 1


def test_a_key_that_is_not_a_uuid_is_a_field_error(caller, enterprise, specialist):
    response = caller("specialist").post(LIST, visit_body(enterprise, client_key="abc"), format="json")

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["client_key"]
    assert Visit.objects.count() == 0


def test_the_snapshot_conditions_are_sent_and_shown(caller, enterprise, specialist):
    body = visit_body(enterprise, orders_condition="good", labour_condition="strained")

    created = caller("specialist").post(LIST, body, format="json").json()

    assert (created["orders_condition"], created["labour_condition"], created["funds_condition"]) == (
        "good",
        "strained",
        "",
    )


# ---------------------------------------------------------------- photos: served to whoever may see the visit


@pytest.fixture
def photographed(enterprise, specialist):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from services.core import clock
    from services.visits.actions import log_visit

    jpeg = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x01" * 100
    with clock.travel_to(shanghai(2026, 3, 6, 18)):
        return log_visit(
            actor=specialist,
            enterprise=enterprise,
            visited_at=shanghai(2026, 3, 6, 14),
            photos=[SimpleUploadedFile("车间.jpg", jpeg, "image/jpeg")],
        )


@pytest.mark.parametrize("role", ROLES)
def test_a_visit_photo_is_downloaded_by_exactly_those_who_see_the_visit(role, caller, photographed):
    photo = photographed.photos.get()
    url = f"{detail(photographed)}photos/{photo.pk}/"

    response = caller(role).get(url)

    if role == "anonymous":
        assert response.status_code == 401
        return
    if role in ("handler", "unit_head"):
        assert response.status_code == 404
        return
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content).startswith(b"\xff\xd8\xff")


def test_the_visit_detail_links_its_photos_through_the_api(caller, photographed):
    photo = photographed.photos.get()

    shown = caller("specialist").get(detail(photographed)).json()["photos"]

    assert shown == [
        {
            "id": photo.pk,
            "url": f"{detail(photographed)}photos/{photo.pk}/",
            "caption": "车间.jpg",
            "content_type": "image/jpeg",
            "size": photo.size,
        }
    ]
