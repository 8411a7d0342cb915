"""The registry of moves offers a move exactly when its action would succeed now, sub-state included.

For every move, a spread of states (each lifecycle status, and the sub-states inside "being handled") and
every kind of actor who can see the problem, "offered" must equal "the action does not refuse". The action is
tried for real inside a savepoint that is rolled back.
"""

from datetime import timedelta

import pytest
from django.db import transaction
from freezegun import freeze_time

from services.core import clock
from services.core.errors import ActionRefused
from services.issues import actions, workflow
from services.issues.models import Outcome, Satisfaction
from services.issues.selectors import get_issue_detail_for
from tests.factories import EnterpriseUserFactory, HandlerFactory, UnitHeadFactory
from tests.factories import issues as make

pytestmark = pytest.mark.django_db


class _Undo(Exception):
    pass


def _inputs(move, *, other_unit, duplicate_of):
    return {
        "accept": {"note": ""},
        "reject": {"reason": "属于司法诉讼事项，不予受理。"},
        "merge": {"into": duplicate_of, "note": "同一诉求"},
        "dispatch": {"lead_unit": other_unit, "co_units": []},
        "acknowledge": {},
        "send-back": {"reason": "不属于本单位职责。"},
        "transfer": {"lead_unit": other_unit, "co_units": []},
        "contact": {"note": "已电话联系企业负责人。"},
        "co-handler-input": {"text": "建议结合稳岗补贴政策一并解决。"},
        "respond": {"outcome": Outcome.SOLVED, "reply": "已协调解决，详见附件。"},
        "request-extension": {"working_days": 3, "reason": "需现场踏勘。"},
        "decide-extension": {"approve": True, "note": ""},
        "evaluate": {"satisfaction": Satisfaction.SATISFIED, "was_contacted": True, "was_solved": True},
        "reopen": {"note": "请重新核实。"},
        "close": {"reason": "经研判，已按政策答复到位。"},
        "withdraw": {"reason": "问题已自行解决。"},
        "supplement": {"text": "补充：需要夜班焊工10名，持证上岗。"},
    }[move.slug]


def _succeeds(move, issue, actor, data) -> bool:
    try:
        with transaction.atomic():
            move.perform(issue, actor, data)
            raise _Undo
    except _Undo:
        return True
    except ActionRefused:
        return False


@pytest.fixture
def world(enterprise_user, specialist, dispatcher, handler, unit, other_unit, co_unit, co_handler, category):
    unit_head = UnitHeadFactory(unit=unit, display_name="刘局长")
    other_handler = HandlerFactory(unit=other_unit, display_name="赵经办")
    kw = {"enterprise_user": enterprise_user, "category": category}
    staged = {
        "submitted": make.filed(**kw),
        "accepted": make.accepted(dispatcher=dispatcher, **kw),
        "dispatched": make.dispatched(dispatcher=dispatcher, unit=unit, co_units=[co_unit], **kw),
        "handling": make.handling(dispatcher=dispatcher, handler=handler, co_units=[co_unit], **kw),
        "responded": make.responded(dispatcher=dispatcher, handler=handler, **kw),
        "under_review": make.under_review(dispatcher=dispatcher, handler=handler, **kw),
        "closed": make.closed(dispatcher=dispatcher, handler=handler, **kw),
    }
    contacted = make.handling(dispatcher=dispatcher, handler=handler, co_units=[co_unit], **kw)
    actions.record_first_contact(issue=contacted, actor=handler, note="已联系")
    actions.submit_co_input(issue=contacted, actor=co_handler, text="同意牵头单位意见。")
    staged["handling, contacted, co-input given"] = contacted
    pending = make.handling(dispatcher=dispatcher, handler=handler, **kw)
    actions.request_extension(issue=pending, actor=handler, working_days=2, reason="需协调")
    staged["handling, extension pending"] = pending
    extended = make.handling(dispatcher=dispatcher, handler=handler, **kw)
    actions.request_extension(issue=extended, actor=handler, working_days=2, reason="需协调")
    actions.decide_extension(issue=extended, actor=dispatcher, approve=True, note="")
    staged["handling, extended once"] = extended
    sent_back = make.dispatched(dispatcher=dispatcher, unit=unit, **kw)
    actions.send_back_issue(issue=sent_back, actor=handler, reason="错派")
    staged["sent back"] = sent_back
    withdrawn = make.filed(**kw)
    actions.withdraw_issue(issue=withdrawn, actor=enterprise_user, reason="不需要了")
    staged["withdrawn"] = withdrawn
    actors = {
        "enterprise": enterprise_user,
        "colleague": EnterpriseUserFactory(enterprise=enterprise_user.enterprise, display_name="周会计"),
        "specialist": specialist,
        "dispatcher": dispatcher,
        "lead handler": handler,
        "lead head": unit_head,
        "co-handler": co_handler,
        "other unit": other_handler,
    }
    return staged, actors, other_unit, make.filed(**kw)


def test_every_move_is_offered_exactly_when_its_action_would_succeed(world):
    staged, actors, other_unit, duplicate_of = world
    checked = mismatches = 0
    report = []
    for state, issue in staged.items():
        for who, actor in actors.items():
            try:
                detail = get_issue_detail_for(actor=actor, issue_id=issue.pk)
            except Exception:  # not visible to this actor: nothing is offered, nothing can be done
                continue
            offered = {move.slug for move in workflow.available_moves(actor=actor, issue=detail)}
            for move in workflow.MOVES:
                data = _inputs(move, other_unit=other_unit, duplicate_of=duplicate_of)
                succeeds = _succeeds(move, issue, actor, data)
                checked += 1
                if (move.slug in offered) != succeeds:
                    mismatches += 1
                    report.append(
                        f"{state} / {who} / {move.slug}: offered={move.slug in offered}, succeeds={succeeds}"
                    )
    assert checked > 500
    assert mismatches == 0, "\n".join(report)


def test_deciding_an_extension_is_offered_only_while_a_request_waits(
    enterprise_user, dispatcher, handler, category
):
    issue = make.handling(
        enterprise_user=enterprise_user, dispatcher=dispatcher, handler=handler, category=category
    )
    before = workflow.allowed_slugs(dispatcher, get_issue_detail_for(actor=dispatcher, issue_id=issue.pk))

    actions.request_extension(issue=issue, actor=handler, working_days=2, reason="需协调用地指标")
    after = workflow.allowed_slugs(dispatcher, get_issue_detail_for(actor=dispatcher, issue_id=issue.pk))

    assert "decide-extension" not in before
    assert "decide-extension" in after


def test_sending_back_is_no_longer_offered_once_the_sign_window_has_passed(
    enterprise_user, dispatcher, handler, category
):
    issue = make.dispatched(
        enterprise_user=enterprise_user, dispatcher=dispatcher, unit=handler.unit, category=category
    )
    within = workflow.allowed_slugs(handler, get_issue_detail_for(actor=handler, issue_id=issue.pk))

    with freeze_time(clock.now() + timedelta(days=30)):
        later = workflow.allowed_slugs(handler, get_issue_detail_for(actor=handler, issue_id=issue.pk))

    assert "send-back" in within
    assert "send-back" not in later
    assert "acknowledge" in later


def test_the_registry_names_one_move_per_api_action_and_no_slug_twice():
    assert len(workflow.SLUGS) == len(set(workflow.SLUGS)) == len(workflow.MOVES) == 17
