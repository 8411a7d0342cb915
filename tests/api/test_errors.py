"""One error shape for every error, in the request's language; "not yours" is indistinguishable from "missing"."""

import base64

import pytest
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
