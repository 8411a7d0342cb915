"""A problem's whole life through the API only, by the real roles signed in with tokens."""

import pytest
from rest_framework.test import APIClient

from services.core import clock
from tests.issues.state import shanghai

pytestmark = pytest.mark.django_db

PASSWORD = "jiangjin-test"  # what the user factories set


def signed_in(user) -> APIClient:
    client = APIClient()
    response = client.post(
        "/api/v1/auth/token/", {"username": user.username, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200, response.content
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return client


def act(client: APIClient, issue_id: int, action: str, body: dict | None = None) -> dict:
    response = client.post(f"/api/v1/issues/{issue_id}/{action}/", body or {}, format="json")
    assert response.status_code == 200, (action, response.content)
    return response.json()


def test_a_problem_goes_from_filing_through_a_reopen_to_closure(
    enterprise_user, dispatcher, handler, co_handler, co_unit, unit, category
):
    enterprise = signed_in(enterprise_user)
    desk = signed_in(dispatcher)
    lead = signed_in(handler)
    co = signed_in(co_handler)

    filed = enterprise.post(
        "/api/v1/issues/",
        {
            "category": category.pk,
            "title": "招工难，急需焊工30名",
            "description": "今年订单增长，车间缺焊工。",
        },
        format="json",
    )
    assert filed.status_code == 201, filed.content
    issue_id = filed.json()["id"]
    assert filed.json()["status"] == "submitted"
    assert filed.json()["allowed_actions"] == ["withdraw", "supplement"]

    assert act(desk, issue_id, "accept")["status"] == "accepted"
    dispatched = act(desk, issue_id, "dispatch", {"lead_unit": unit.pk, "co_units": [co_unit.pk]})
    assert dispatched["status"] == "dispatched"
    assert {(part["unit"]["id"], part["unit_role"]) for part in dispatched["units"]} == {
        (unit.pk, "lead"),
        (co_unit.pk, "co"),
    }
    assert lead.get("/api/v1/issues/inbox/").json()["results"][0]["id"] == issue_id

    assert act(lead, issue_id, "acknowledge")["status"] == "handling"
    act(lead, issue_id, "contact", {"note": "已电话联系企业人事负责人"})
    act(co, issue_id, "co-handler-input", {"text": "可推送焊工培训班学员"})
    assert (
        act(lead, issue_id, "respond", {"outcome": "partly", "reply": "已推送简历12份"})["status"]
        == "responded"
    )

    dissatisfied = act(
        enterprise,
        issue_id,
        "evaluate",
        {"satisfaction": "dissatisfied", "was_contacted": True, "was_solved": False, "comment": "人数不够"},
    )
    assert dissatisfied["status"] == "under_review"
    reopened = act(desk, issue_id, "reopen", {"note": "请继续对接"})
    assert reopened["status"] == "handling"
    assert reopened["reopen_count"] == 1
    assert (
        act(lead, issue_id, "respond", {"outcome": "solved", "reply": "再推送焊工简历42份"})["status"]
        == "responded"
    )
    closed = act(
        enterprise,
        issue_id,
        "evaluate",
        {"satisfaction": "satisfied", "was_contacted": True, "was_solved": True},
    )

    assert closed["status"] == "closed"
    assert closed["closure_kind"] == "rated"
    assert closed["allowed_actions"] == []
    history = enterprise.get(f"/api/v1/issues/{issue_id}/events/").json()
    assert [event["kind"] for event in history] == [
        "submit",
        "accept",
        "dispatch",
        "acknowledge",
        "record_contact",
        "co_handler_input",
        "respond",
        "evaluate_dissatisfied",
        "reopen",
        "respond",
        "evaluate",
    ]
    assert [event["label"] for event in history][:3] == ["提交", "受理", "派单"]


def test_a_wrongly_dispatched_problem_is_sent_back_and_transferred_with_a_fresh_clock(
    enterprise_user, dispatcher, handler, other_handler, unit, other_unit, category
):
    enterprise = signed_in(enterprise_user)
    desk = signed_in(dispatcher)
    wrong = signed_in(other_handler)
    right = signed_in(handler)

    with clock.travel_to(shanghai(2026, 3, 3, 9)):
        issue_id = enterprise.post(
            "/api/v1/issues/",
            {"category": category.pk, "title": "厂区用地手续办理", "description": "需办理用地规划许可"},
            format="json",
        ).json()["id"]
        act(desk, issue_id, "accept")
        act(desk, issue_id, "dispatch", {"lead_unit": other_unit.pk})
    with clock.travel_to(shanghai(2026, 3, 4, 15)):
        sent_back = act(wrong, issue_id, "send-back", {"reason": "属于人力社保职责"})
        assert sent_back["status"] == "sent_back"
        assert sent_back["lead_unit"] is None
        transferred = act(desk, issue_id, "transfer", {"lead_unit": unit.pk, "note": "改派区人力社保局"})
    assert transferred["status"] == "dispatched"
    assert transferred["transfer_count"] == 1
    new_sign = next(
        c for c in transferred["clocks"] if c["stage"] == "sign" and c["unit"] and c["unit"]["id"] == unit.pk
    )
    assert new_sign["started_at"].startswith("2026-03-04T15:00")
    assert new_sign["due_at"] == "2026-03-05T23:59:59+08:00"
    # The unit that sent it back still sees it, but may no longer act on it.
    assert wrong.get(f"/api/v1/issues/{issue_id}/").json()["allowed_actions"] == []
    assert wrong.post(f"/api/v1/issues/{issue_id}/acknowledge/", {}, format="json").status_code == 403

    assert act(right, issue_id, "acknowledge")["status"] == "handling"
    assert (
        act(right, issue_id, "respond", {"outcome": "explained", "reply": "已说明办理流程"})["status"]
        == "responded"
    )
    assert (
        act(
            enterprise,
            issue_id,
            "evaluate",
            {"satisfaction": "basic", "was_contacted": True, "was_solved": True},
        )["status"]
        == "closed"
    )
