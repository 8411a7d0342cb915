"""One error shape for every error, in the request's language; "not yours" is indistinguishable from "missing"."""

import base64

import pytest
from django.db import DataError
from django.utils import translation

from services.issues.permissions import _REASONS
from tests.factories import issues as make

pytestmark = pytest.mark.django_db

SHAPE = {"code", "message", "fields"}


@pytest.fixture
def issue(enterprise_user, category):
    return make.filed(enterprise_user=enterprise_user, category=category)


def test_another_enterprises_issue_answers_exactly_like_a_missing_one(
    issue, client_for, other_enterprise_user
):
    client = client_for(other_enterprise_user)
    missing_id = issue.pk + 1000

    for suffix, method, body in [
        ("", "get", None),
        ("events/", "get", None),
        ("withdraw/", "post", {"reason": "撤回"}),
        ("accept/", "post", {}),
    ]:
        theirs = getattr(client, method)(f"/api/v1/issues/{issue.pk}/{suffix}", body, format="json")
        nothing = getattr(client, method)(f"/api/v1/issues/{missing_id}/{suffix}", body, format="json")
        assert theirs.status_code == nothing.status_code == 404
        assert theirs.content == nothing.content
        assert theirs.json() == {"code": "not_found", "message": "未找到。", "fields": {}}


def test_a_missing_field_is_named_in_chinese_by_default(client_for, enterprise_user):
    response = client_for(enterprise_user).post("/api/v1/issues/", {"title": "用电"}, format="json")

    assert response.status_code == 400
    body = response.json()
    assert set(body) == SHAPE
    assert body["code"] == "invalid"
    assert body["fields"]["category"] == ["该字段是必填项。"]
    assert body["fields"]["description"] == ["该字段是必填项。"]
    assert body["message"] == "该字段是必填项。"


def test_a_missing_field_is_named_in_english_when_asked(client_for, enterprise_user):
    response = client_for(enterprise_user).post(
        "/api/v1/issues/", {"title": "用电"}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 400
    assert response.json()["fields"]["category"] == ["This field is required."]
    assert response.json()["message"] == "This field is required."


def test_a_rule_broken_inside_the_action_comes_back_as_a_field_error(client_for, enterprise_user, category):
    response = client_for(enterprise_user).post(
        "/api/v1/issues/",
        {"category": category.pk, "title": "   ", "description": "车间缺焊工"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid",
        "message": "请填写标题。",
        "fields": {"title": ["请填写标题。"]},
    }


def test_a_refusal_gives_its_reason_in_chinese_by_default(issue, client_for, leader):
    response = client_for(leader).post(f"/api/v1/issues/{issue.pk}/accept/", {}, format="json")

    assert response.status_code == 403
    assert response.json() == {"code": "not_permitted", "message": "只有调度员可以进行此操作。", "fields": {}}


def test_a_refusal_gives_its_reason_in_english_when_asked(issue, client_for, leader):
    response = client_for(leader).post(
        f"/api/v1/issues/{issue.pk}/withdraw/", {"reason": "x"}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 403
    assert response.json()["code"] == "not_permitted"
    with translation.override("en"):
        assert response.json()["message"] == str(_REASONS["enterprise"])
    assert response.json()["message"].startswith("Only the enterprise")


def test_a_dispatcher_reading_english_may_still_accept(issue, client_for, dispatcher):
    response = client_for(dispatcher).post(
        f"/api/v1/issues/{issue.pk}/accept/", {}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 200


def test_a_wrong_state_is_a_conflict_in_the_one_shape(issue, client_for, dispatcher):
    client_for(dispatcher).post(f"/api/v1/issues/{issue.pk}/accept/", {}, format="json")

    response = client_for(dispatcher).post(f"/api/v1/issues/{issue.pk}/accept/", {}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    assert response.json()["message"] == "当前状态为“待派单”，不能进行“受理”操作。"


def test_no_credentials_is_401_in_chinese_and_in_english(client_for):
    zh = client_for(None).get("/api/v1/issues/")
    en = client_for(None).get("/api/v1/issues/", HTTP_ACCEPT_LANGUAGE="en")

    assert zh.status_code == en.status_code == 401
    assert zh.json() == {"code": "not_authenticated", "message": "身份认证信息未提供。", "fields": {}}
    assert en.json() == {
        "code": "not_authenticated",
        "message": "Authentication credentials were not provided.",
        "fields": {},
    }
    assert zh["WWW-Authenticate"].startswith("Token")


def test_a_bad_token_is_401(client_for):
    client = client_for(None)
    client.credentials(HTTP_AUTHORIZATION="Token 0000000000000000000000000000000000000000")

    response = client.get("/api/v1/issues/")

    assert response.status_code == 401
    assert response.json() == {"code": "authentication_failed", "message": "认证令牌无效。", "fields": {}}


def test_malformed_json_is_a_parse_error(issue, client_for, dispatcher):
    response = client_for(dispatcher).post(
        f"/api/v1/issues/{issue.pk}/accept/", data="{not json", content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert set(response.json()) == SHAPE


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"lead_unit": "abc"}, "lead_unit"),
        ({"lead_unit": 99999999}, "lead_unit"),
        ({"lead_unit": 2**70}, "lead_unit"),
        ({"lead_unit": None}, "lead_unit"),
        ({"lead_unit": [1]}, "lead_unit"),
        ({"co_units": "x"}, "co_units"),
        ({"co_units": [{"id": 1}]}, "co_units.0"),
        ({"note": "a\x00b"}, "note"),
        ({"note": "x" * 3000}, "note"),
    ],
)
def test_odd_input_is_a_field_error_never_a_server_error(
    body, field, client_for, dispatcher, enterprise_user, category
):
    issue = make.accepted(dispatcher=dispatcher, enterprise_user=enterprise_user, category=category)

    response = client_for(dispatcher).post(f"/api/v1/issues/{issue.pk}/dispatch/", body, format="json")

    assert response.status_code == 400, response.content
    assert field in response.json()["fields"]


@pytest.mark.parametrize(
    "query",
    [
        "status=nonsense",
        "category=abc",
        "due_before=yesterday",
        "created_after=2026-13-45",
        "ordering=title",
        "cursor=" + base64.b64encode(b"p=not-a-date").decode(),
        "cursor=" + base64.b64encode(b"o=-5").decode(),
        "cursor=" + base64.b64encode(b"p=99999-01-01").decode() + "&ordering=due_at",
        "search=" + "很" * 200,
        "created_before=9999-12-31T23:59:59-15:00",
        "cursor=" + base64.b64encode(b"p=2303-07-15 14:45:12+23:23").decode(),
        "cursor=" + base64.b64encode(b"p=2026-02-30 10:00").decode(),
    ],
)
def test_odd_query_parameters_are_a_400_in_the_one_shape(query, client_for, dispatcher):
    response = client_for(dispatcher).get(f"/api/v1/issues/?{query}")

    assert response.status_code == 400, response.content
    assert set(response.json()) == SHAPE


def test_an_unknown_method_keeps_its_status_in_the_one_shape(issue, client_for, dispatcher):
    response = client_for(dispatcher).delete(f"/api/v1/issues/{issue.pk}/")

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert set(response.json()) == SHAPE


def test_an_id_out_of_range_is_just_not_found(client_for, dispatcher):
    response = client_for(dispatcher).get(f"/api/v1/issues/{2**70}/")

    assert response.status_code == 404


@pytest.mark.parametrize("path", ["/api/v1/issues/abc/", "/api/v1/nothing-here/", "/api/v2/issues/"])
def test_an_unknown_path_under_the_api_is_the_same_404_as_a_missing_issue(path, client_for, dispatcher):
    unknown = client_for(dispatcher).get(path)
    missing = client_for(dispatcher).get("/api/v1/issues/999999/")

    assert unknown.status_code == 404
    assert unknown.json() == missing.json() == {"code": "not_found", "message": "未找到。", "fields": {}}


def test_a_time_zone_offset_postgresql_does_not_know_is_normalised_not_a_server_error(client_for, dispatcher):
    response = client_for(dispatcher).get("/api/v1/issues/?due_after=2303-07-15T14:45:12.8%2B23:23")

    assert response.status_code == 200
    assert response.json()["results"] == []


# ---------------------------------------------------------------- raw input: the rules of services.core.inputs


@pytest.fixture
def accepted_issue(dispatcher, enterprise_user, category):
    return make.accepted(dispatcher=dispatcher, enterprise_user=enterprise_user, category=category)


def _id_places(request) -> list[tuple]:
    """(who, path, JSON body with ID where an id goes) for each of the nine id fields of the API."""
    issue = request.getfixturevalue("accepted_issue")
    other = make.filed(
        enterprise_user=request.getfixturevalue("enterprise_user"),
        category=request.getfixturevalue("category"),
    )
    enterprise = request.getfixturevalue("enterprise")
    category = request.getfixturevalue("category")
    text = '"title": "用电增容", "description": "新产线需增容"'
    return [
        ("enterprise_user", "/api/v1/issues/", f'{{"category": ID, {text}}}'),
        (
            "specialist",
            "/api/v1/issues/",
            f'{{"enterprise": {enterprise.pk}, "category": {category.pk}, "visit": ID, {text}}}',
        ),
        ("specialist", "/api/v1/issues/", f'{{"enterprise": ID, "category": {category.pk}, {text}}}'),
        (
            "specialist",
            "/api/v1/visits/",
            f'{{"enterprise": {enterprise.pk}, "visited_at": "2026-03-02T10:00:00+08:00", "companions": [ID]}}',
        ),
        (
            "administrator",
            "/api/v1/enterprises/",
            '{"name": "重庆江津某机械有限公司", "uscc": "91500116MA5U000000", "town": ID}',
        ),
        ("dispatcher", f"/api/v1/issues/{other.pk}/merge/", '{"into": ID}'),
        ("dispatcher", f"/api/v1/issues/{issue.pk}/dispatch/", '{"lead_unit": ID}'),
        ("dispatcher", f"/api/v1/issues/{issue.pk}/dispatch/", '{"lead_unit": 1, "co_units": [ID]}'),
        (
            "administrator",
            "/api/v1/targets/",
            '{"year": 2026, "figure": "closure_rate", "value": 100, "unit": ID}',
        ),
    ]


@pytest.mark.parametrize(
    "number", ["1e400", "-1e400", "1.5", "true", "NaN", "Infinity", "1e3", '"1e3"', '"1.0"']
)
def test_anything_but_a_whole_number_where_an_id_goes_is_a_400_in_all_nine_places(
    number, request, client_for
):
    answers = []
    for who, path, body in _id_places(request):
        client = client_for(request.getfixturevalue(who))
        response = client.post(path, data=body.replace("ID", number), content_type="application/json")
        answers.append((path, body[:20], response.status_code, set(response.json())))

    assert [a for a in answers if a[2] != 400 or a[3] != SHAPE] == []


def test_a_float_is_not_taken_for_the_unit_it_rounds_to(accepted_issue, unit, client_for, dispatcher):
    response = client_for(dispatcher).post(
        f"/api/v1/issues/{accepted_issue.pk}/dispatch/", {"lead_unit": unit.pk + 0.5}, format="json"
    )

    assert response.status_code == 400
    assert "lead_unit" in response.json()["fields"]
    accepted_issue.refresh_from_db()
    assert accepted_issue.lead_unit_id is None


def test_an_id_written_in_digits_is_still_an_id(accepted_issue, unit, client_for, dispatcher):
    response = client_for(dispatcher).post(
        f"/api/v1/issues/{accepted_issue.pk}/dispatch/", {"lead_unit": str(unit.pk)}, format="json"
    )

    assert response.status_code == 200, response.content


def test_json_nested_fifty_thousand_deep_is_a_parse_error(accepted_issue, client_for, dispatcher):
    body = '{"lead_unit": ' + "[" * 50_000 + "]" * 50_000 + "}"

    response = client_for(dispatcher).post(
        f"/api/v1/issues/{accepted_issue.pk}/dispatch/", data=body, content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert set(response.json()) == SHAPE


def test_a_body_over_the_size_limit_is_413_in_the_one_shape(accepted_issue, client_for, dispatcher, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = '{"note": "' + "很" * 20_000 + '"}'

    response = client_for(dispatcher).post(
        f"/api/v1/issues/{accepted_issue.pk}/accept/", data=body, content_type="application/json"
    )

    assert response.status_code == 413
    assert response.json() == {"code": "too_large", "message": "请求内容过大。", "fields": {}}
    accepted_issue.refresh_from_db()
    assert accepted_issue.status == "accepted"


def test_a_form_body_over_the_size_limit_where_json_belongs_is_refused_for_its_type_unread(
    accepted_issue, client_for, dispatcher, settings
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000

    response = client_for(dispatcher).post(
        f"/api/v1/issues/{accepted_issue.pk}/accept/", {"note": "很" * 20_000}, format="multipart"
    )

    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"
    accepted_issue.refresh_from_db()
    assert accepted_issue.status == "accepted"


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/issues/?overdue=maybe",
        "/api/v1/notifications/?unread=maybe",
        "/api/v1/enterprises/?above_scale=maybe",
        "/api/v1/enterprises/?is_active=yes-please",
    ],
)
def test_a_yes_no_filter_given_anything_else_is_a_400_everywhere(path, client_for, dispatcher):
    response = client_for(dispatcher).get(path)

    assert response.status_code == 400, response.content
    name = path.split("?")[1].split("=")[0]
    assert name in response.json()["fields"]


@pytest.mark.parametrize(
    "query",
    ["lead_unit=" + "9" * 40, "category=" + "9" * 40, "category=-" + "9" * 30],
)
def test_an_over_long_integer_filter_is_a_400(query, client_for, dispatcher):
    response = client_for(dispatcher).get(f"/api/v1/issues/?{query}")

    assert response.status_code == 400, response.content


def test_a_nul_character_is_named_as_such_not_as_an_empty_value(accepted_issue, client_for, dispatcher):
    response = client_for(dispatcher).post(
        f"/api/v1/issues/{accepted_issue.pk}/reject/", {"reason": "不属于\x00受理范围"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["fields"]["reason"] == [
        "不能含有空字符（\\0，常见于复制或程序出错），请删除后重试。"
    ]


# ---------------------------------------------------------------- no amplification


def test_twenty_thousand_co_units_are_refused_before_any_is_looked_up(
    accepted_issue, unit, client_for, dispatcher, django_assert_max_num_queries
):
    body = {"lead_unit": unit.pk, "co_units": list(range(1, 20_001))}

    with django_assert_max_num_queries(12):
        response = client_for(dispatcher).post(
            f"/api/v1/issues/{accepted_issue.pk}/dispatch/", body, format="json"
        )

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["co_units"]
    assert len(response.content) < 500


def test_twenty_thousand_companions_are_refused_before_any_is_looked_up(
    specialist, enterprise, client_for, django_assert_max_num_queries
):
    body = {
        "enterprise": enterprise.pk,
        "visited_at": "2026-03-02T10:00:00+08:00",
        "companions": list(range(20_000)),
    }

    with django_assert_max_num_queries(12):
        response = client_for(specialist).post("/api/v1/visits/", body, format="json")

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["companions"]
    assert len(response.content) < 500


def test_a_list_of_ids_is_looked_up_in_one_query(accepted_issue, unit, client_for, dispatcher):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import UnitFactory

    co_units = [UnitFactory().pk for _ in range(3)]
    with CaptureQueriesContext(connection) as queries:
        response = client_for(dispatcher).post(
            f"/api/v1/issues/{accepted_issue.pk}/dispatch/",
            {"lead_unit": unit.pk, "co_units": co_units},
            format="json",
        )

    assert response.status_code == 200, response.content
    unit_lookups = [q["sql"] for q in queries if 'FROM "departments_unit"' in q["sql"] and "IN (" in q["sql"]]
    assert len(unit_lookups) == 1


def test_each_missing_id_in_a_list_is_named_by_its_position(accepted_issue, unit, client_for, dispatcher):
    response = client_for(dispatcher).post(
        f"/api/v1/issues/{accepted_issue.pk}/dispatch/",
        {"lead_unit": unit.pk, "co_units": [unit.pk + 10_000, "x", 2**70]},
        format="json",
    )

    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"co_units.0", "co_units.1", "co_units.2"}


@pytest.mark.parametrize(
    "error",
    [
        OverflowError("Python int too large to convert to SQLite INTEGER"),
        DataError("integer out of range"),
    ],
)
def test_a_number_too_big_for_the_database_is_the_clients_400_not_a_500(error):
    from services.core.api import exception_handler

    response = exception_handler(error, {})

    assert response.status_code == 400
    assert response.data == {
        "code": "invalid",
        "message": "输入的数值超出了允许的范围。",
        "fields": {"non_field_errors": ["输入的数值超出了允许的范围。"]},
    }
