"""The legal moves of the problem lifecycle (DESIGN §2), written out by hand and compared with the code.

This table was written from the design, not copied from ``lifecycle.py``: if the two disagree, one of
them is wrong and a person must decide which.
"""

import pytest

from services.core.errors import InvalidTransition
from services.issues import lifecycle
from services.issues.lifecycle import FINAL_STATUSES, Status

SUBMITTED = "submitted"
ACCEPTED = "accepted"
DISPATCHED = "dispatched"
HANDLING = "handling"
SENT_BACK = "sent_back"
RESPONDED = "responded"
UNDER_REVIEW = "under_review"
CLOSED = "closed"
REJECTED = "rejected"
WITHDRAWN = "withdrawn"
MERGED = "merged"

STAYS = None  # the move records a step; the status does not change

# transition name: (statuses it may start from, status it leads to)
EXPECTED = {
    "submit": (set(), SUBMITTED),  # the first move: no status before it
    "accept": ({SUBMITTED}, ACCEPTED),  # 受理
    "reject": ({SUBMITTED}, REJECTED),  # 不予受理, with a reason
    "merge": ({SUBMITTED, ACCEPTED}, MERGED),  # 合并 a duplicate before it goes to a unit
    "dispatch": ({ACCEPTED}, DISPATCHED),  # 派单 to a lead and co-handlers
    "acknowledge": ({DISPATCHED}, HANDLING),  # 签收 = 报到
    "send_back": ({DISPATCHED, HANDLING}, SENT_BACK),  # 退回, within the sign deadline
    "transfer": ({SENT_BACK, DISPATCHED, HANDLING}, DISPATCHED),  # 转办 to the next unit, clocks fresh
    "record_contact": ({HANDLING}, STAYS),  # 首次联系
    "co_handler_input": ({DISPATCHED, HANDLING}, STAYS),  # 协办意见 to the lead
    "request_extension": ({HANDLING}, STAYS),  # 延期 moves the due date, never the status
    "decide_extension": ({HANDLING}, STAYS),
    "respond": ({HANDLING}, RESPONDED),  # 答复
    "evaluate": ({RESPONDED}, CLOSED),  # 满意 / 基本满意 close
    "evaluate_dissatisfied": ({RESPONDED}, UNDER_REVIEW),  # 不满意 goes to review (研判)
    "reopen": ({UNDER_REVIEW}, HANDLING),  # 重办, a fresh answer deadline
    "review_close": ({UNDER_REVIEW}, CLOSED),  # 研判办结, with a reason
    "close_unrated": ({RESPONDED}, CLOSED),  # the rating window passed: closed as unrated
    "withdraw": ({SUBMITTED, ACCEPTED, DISPATCHED, HANDLING, SENT_BACK}, WITHDRAWN),  # 撤回, before an answer
    # 上传附件: a file joins the record while the issue is open; a closed record stays as it was closed
    "attach": ({SUBMITTED, ACCEPTED, DISPATCHED, HANDLING, SENT_BACK, RESPONDED, UNDER_REVIEW}, STAYS),
    # 补充信息: the enterprise adds information to its open problem; the status stays
    "supplement": ({SUBMITTED, ACCEPTED, DISPATCHED, HANDLING, SENT_BACK, RESPONDED, UNDER_REVIEW}, STAYS),
}


def test_the_code_has_exactly_the_transitions_the_design_names():
    assert {transition.name for transition in lifecycle.TRANSITIONS} == set(EXPECTED)


def test_each_transition_starts_from_exactly_the_statuses_the_design_allows():
    actual = {transition.name: set(transition.sources) for transition in lifecycle.TRANSITIONS}

    assert actual == {name: sources for name, (sources, _target) in EXPECTED.items()}


def test_each_transition_leads_to_exactly_the_status_the_design_names():
    actual = {transition.name: transition.target for transition in lifecycle.TRANSITIONS}

    assert actual == {name: target for name, (_sources, target) in EXPECTED.items()}


def test_the_legal_pairs_of_move_and_status_are_exactly_those_of_the_design():
    expected_pairs = {
        (name, source, target or source) for name, (sources, target) in EXPECTED.items() for source in sources
    }
    actual_pairs = {
        (transition.name, status.value, lifecycle.ensure_allowed(transition, status.value))
        for transition in lifecycle.TRANSITIONS
        for status in Status
        if lifecycle.is_allowed(transition, status.value)
    }

    assert actual_pairs == expected_pairs


def test_every_status_can_be_reached_from_submit():
    reached = {SUBMITTED}
    frontier = [SUBMITTED]
    while frontier:
        current = frontier.pop()
        for transition in lifecycle.allowed_from(current):
            following = transition.target_from(current)
            if following not in reached:
                reached.add(following)
                frontier.append(following)

    assert reached == {status.value for status in Status}


def test_the_design_names_the_same_final_statuses_as_the_code():
    assert {status.value for status in FINAL_STATUSES} == {CLOSED, REJECTED, WITHDRAWN, MERGED}


def test_no_move_leaves_a_final_status():
    assert {status: lifecycle.allowed_from(status) for status in FINAL_STATUSES} == {
        status: [] for status in FINAL_STATUSES
    }


def test_every_open_status_has_a_way_to_a_final_status():
    open_statuses = {status.value for status in Status} - {status.value for status in FINAL_STATUSES}
    for status in open_statuses:
        reached, frontier = {status}, [status]
        while frontier:
            current = frontier.pop()
            for transition in lifecycle.allowed_from(current):
                following = transition.target_from(current)
                if following not in reached:
                    reached.add(following)
                    frontier.append(following)
        assert reached & {CLOSED, REJECTED, WITHDRAWN, MERGED}, status


def test_a_refused_move_explains_itself_in_chinese():
    with pytest.raises(InvalidTransition) as refusal:
        lifecycle.ensure_allowed(lifecycle.RESPOND, SUBMITTED)

    assert refusal.value.message == "当前状态为“待受理”，不能进行“答复”操作。"
