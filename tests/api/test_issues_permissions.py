"""The permission matrix of the issue API: every role × list, detail, history and every action.

Each action is tried on an issue in a state that allows the move, so the answer depends on the caller alone:
401 without credentials, 404 for an issue the caller may not see (the same as a missing one), 403 for a
visible issue the caller may not act on, 200 for the role the rules name. A refused write changes nothing.
"""

import pytest

from services.issues import actions
from services.issues.models import Issue, IssueEvent
from tests.factories import issues as make
from tests.issues.state import database_state

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous",
    "own_enterprise",
    "other_enterprise",
    "serving_specialist",
    "idle_specialist",
    "lead_handler",
    "lead_unit_head",
    "other_unit_handler",
    "co_handler",
    "dispatcher",
    "leader",
    "administrator",
)
DISTRICT_WIDE = {"dispatcher", "leader", "administrator"}
LEAD_UNIT = {"lead_handler", "lead_unit_head"}


@pytest.fixture
def people(
    enterprise_user,
    other_enterprise_user,
    specialist,
    idle_specialist,
    handler,
    unit_head,
    other_handler,
    co_handler,
    dispatcher,
    leader,
    administrator,
):
    return {
        "anonymous": None,
        "own_enterprise": enterprise_user,
        "other_enterprise": other_enterprise_user,
        "serving_specialist": specialist,
        "idle_specialist": idle_specialist,
        "lead_handler": handler,
        "lead_unit_head": unit_head,
        "other_unit_handler": other_handler,
        "co_handler": co_handler,
        "dispatcher": dispatcher,
        "leader": leader,
        "administrator": administrator,
    }


@pytest.fixture
def stage(enterprise_user, dispatcher, handler, category, co_unit):
    """``stage(name)``: an issue of ``enterprise_user``'s enterprise in that stage, dispatched with a co-unit."""
    base = {"enterprise_user": enterprise_user, "category": category}
    with_units = {**base, "dispatcher": dispatcher, "co_units": [co_unit]}

    def build(name: str) -> Issue:
        if name == "submitted":
            return make.filed(**base)
        if name == "accepted":
            return make.accepted(dispatcher=dispatcher, **base)
        if name == "dispatched":
            return make.dispatched(unit=handler.unit, **with_units)
        if name == "handling":
            return make.handling(handler=handler, **with_units)
        if name == "extension_pending":
            issue = make.handling(handler=handler, **with_units)
            actions.request_extension(issue=issue, actor=handler, working_days=3, reason="需协调用地指标")
            return issue
        if name == "responded":
            return make.responded(handler=handler, **with_units)
        if name == "under_review":
            return make.under_review(handler=handler, **with_units)
        raise AssertionError(name)

    return build


def _visible(role: str, stage_name: str) -> bool:
    dispatched = stage_name not in ("submitted", "accepted")
    return (
        role in DISTRICT_WIDE
        or role in ("own_enterprise", "serving_specialist")
        or (dispatched and role in (*LEAD_UNIT, "co_handler"))
    )


# action → (the stage it moves from, who may make it, a valid body)
ACTIONS = {
    "accept": ("submitted", {"dispatcher"}, {"note": "属于用工类诉求"}),
    "reject": ("submitted", {"dispatcher"}, {"reason": "属于诉讼事项，不予受理"}),
    "merge": ("submitted", {"dispatcher"}, "merge"),
    "dispatch": ("accepted", {"dispatcher"}, "dispatch"),
    "acknowledge": ("dispatched", LEAD_UNIT, {}),
    "send-back": ("dispatched", LEAD_UNIT, {"reason": "不属于本单位职责"}),
    "transfer": ("dispatched", {"dispatcher"}, "transfer"),
    "contact": ("handling", LEAD_UNIT, {"note": "已电话联系企业人事负责人"}),
    "co-handler-input": ("handling", {"co_handler"}, {"text": "可推送焊工培训班学员"}),
    "respond": ("handling", LEAD_UNIT, {"outcome": "solved", "reply": "已推送焊工简历42份"}),
    "request-extension": ("handling", LEAD_UNIT, {"working_days": 3, "reason": "需协调用地指标"}),
    "decide-extension": ("extension_pending", {"dispatcher"}, {"approve": True}),
    "evaluate": (
        "responded",
        {"own_enterprise"},
        {"satisfaction": "satisfied", "was_contacted": True, "was_solved": True},
    ),
    "reopen": ("under_review", {"dispatcher"}, {"note": "请重新对接"}),
    "close": ("under_review", {"dispatcher"}, {"reason": "已按政策解释到位"}),
    "withdraw": ("submitted", {"own_enterprise"}, {"reason": "问题已自行解决"}),
}


def _expected(role: str, action: str) -> int:
    stage_name, allowed, _body = ACTIONS[action]
    if role == "anonymous":
        return 401
    if not _visible(role, stage_name):
        return 404
    return 200 if role in allowed else 403


def _body(spec, *, issue: Issue, enterprise_user, category, other_unit, unit):
    if spec == "merge":
        original = make.filed(enterprise_user=enterprise_user, category=category, title="招工难（首次反映）")
        return {"into": original.pk}
    if spec == "dispatch":
        return {"lead_unit": unit.pk}
    if spec == "transfer":
        return {"lead_unit": other_unit.pk, "note": "改由区规划自然资源局办理"}
    return spec


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_each_role_gets_the_exact_answer_for_each_action_and_a_refusal_writes_nothing(
    role, action, people, stage, client_for, enterprise_user, category, other_unit, unit
):
    stage_name, _allowed, spec = ACTIONS[action]
    issue = stage(stage_name)
    body = _body(
        spec,
        issue=issue,
        enterprise_user=enterprise_user,
        category=category,
        other_unit=other_unit,
        unit=unit,
    )
    before = database_state()
    events_before = IssueEvent.objects.filter(issue=issue).count()

    response = client_for(people[role]).post(f"/api/v1/issues/{issue.pk}/{action}/", body, format="json")

    expected = _expected(role, action)
    assert response.status_code == expected, response.content
    if expected == 200:
        assert response.json()["id"] == issue.pk
        assert IssueEvent.objects.filter(issue=issue).count() == events_before + 1
    else:
        assert set(response.json()) == {"code", "message", "fields"}
        assert database_state() == before


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("stage_name", ["submitted", "handling"])
def test_each_role_sees_an_issue_in_detail_and_history_exactly_when_it_may(
    role, stage_name, people, stage, client_for
):
    issue = stage(stage_name)
    client = client_for(people[role])

    detail = client.get(f"/api/v1/issues/{issue.pk}/")
    history = client.get(f"/api/v1/issues/{issue.pk}/events/")

    expected = 401 if role == "anonymous" else 200 if _visible(role, stage_name) else 404
    assert detail.status_code == expected
    assert history.status_code == expected


@pytest.mark.parametrize("role", ROLES)
def test_each_role_lists_exactly_the_issues_it_may_see(role, people, stage, client_for):
    submitted = stage("submitted")
    handling = stage("handling")

    response = client_for(people[role]).get("/api/v1/issues/")

    if role == "anonymous":
        assert response.status_code == 401
        return
    assert response.status_code == 200
    listed = {row["id"] for row in response.json()["results"]}
    expected = {
        issue.pk for name, issue in (("submitted", submitted), ("handling", handling)) if _visible(role, name)
    }
    assert listed == expected


def test_a_refused_action_leaves_status_and_history_as_they_were(stage, client_for, handler):
    issue = stage("submitted")
    events = IssueEvent.objects.filter(issue=issue).count()

    client_for(handler).post(f"/api/v1/issues/{issue.pk}/withdraw/", {"reason": "不想办了"}, format="json")

    issue.refresh_from_db()
    assert issue.status == "submitted"
    assert IssueEvent.objects.filter(issue=issue).count() == events


def test_the_enterprise_cannot_withdraw_an_answered_issue(stage, client_for, enterprise_user):
    issue = stage("responded")
    before = database_state()

    response = client_for(enterprise_user).post(
        f"/api/v1/issues/{issue.pk}/withdraw/", {"reason": "不需要了"}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    assert database_state() == before


def test_a_dispatcher_cannot_accept_an_issue_twice(stage, client_for, dispatcher):
    issue = stage("accepted")
    before = database_state()

    response = client_for(dispatcher).post(f"/api/v1/issues/{issue.pk}/accept/", {}, format="json")

    assert response.status_code == 409
    assert database_state() == before


def test_a_caller_who_may_not_act_is_told_so_before_the_body_is_read(stage, client_for, leader):
    issue = stage("submitted")

    response = client_for(leader).post(f"/api/v1/issues/{issue.pk}/reject/", {}, format="json")

    assert response.status_code == 403
    assert response.json()["message"] == "只有调度员可以进行此操作。"


def test_a_specialist_records_a_phone_rating_only_for_an_enterprise_that_rates_by_phone(
    stage, client_for, specialist, enterprise
):
    body = {"satisfaction": "basic", "was_contacted": True, "was_solved": True}
    online = stage("responded")

    refused = client_for(specialist).post(f"/api/v1/issues/{online.pk}/evaluate/", body, format="json")
    enterprise.rates_by_phone = True
    enterprise.save(update_fields=["rates_by_phone"])
    by_phone = stage("responded")
    accepted = client_for(specialist).post(f"/api/v1/issues/{by_phone.pk}/evaluate/", body, format="json")

    assert refused.status_code == 403
    assert accepted.status_code == 200
    assert accepted.json()["status"] == "closed"


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("own_enterprise", 201),
        ("serving_specialist", 201),
        ("dispatcher", 201),
        ("idle_specialist", 400),  # another enterprise is as unknown as a missing one
        ("other_enterprise", 400),
        ("lead_handler", 403),
        ("leader", 403),
        ("anonymous", 401),
    ],
)
def test_filing_for_an_enterprise_is_for_its_users_its_specialist_and_dispatchers(
    role, expected, people, client_for, enterprise, category
):
    body = {
        "enterprise": enterprise.pk,
        "category": category.pk,
        "title": "用电增容",
        "description": "新产线需增容",
    }
    before = Issue.objects.count()

    response = client_for(people[role]).post("/api/v1/issues/", body, format="json")

    assert response.status_code == expected, response.content
    assert Issue.objects.count() == before + (1 if expected == 201 else 0)


def test_allowed_actions_name_what_the_caller_may_do_now(
    stage, client_for, handler, dispatcher, enterprise_user
):
    issue = stage("handling")

    as_handler = client_for(handler).get(f"/api/v1/issues/{issue.pk}/").json()["allowed_actions"]
    as_dispatcher = client_for(dispatcher).get(f"/api/v1/issues/{issue.pk}/").json()["allowed_actions"]
    as_enterprise = client_for(enterprise_user).get(f"/api/v1/issues/{issue.pk}/").json()["allowed_actions"]

    assert as_handler == ["send-back", "contact", "request-extension", "respond"]
    assert as_dispatcher == ["transfer"]  # no extension request waits for a decision
    assert as_enterprise == ["withdraw", "supplement"]
