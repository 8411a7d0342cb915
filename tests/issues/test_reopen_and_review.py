"""After a dissatisfied rating the dispatcher either reopens the problem (重办) to the lead unit with a fresh
answer deadline, or reviews and closes it with a reason (研判办结). Three reopens escalate automatically."""

import pytest

from services.core import clock
from services.core.errors import InvalidInput, InvalidTransition, NotPermitted
from services.issues import actions
from services.issues.lifecycle import Status
from services.issues.models import ClosureKind, IssueEvent, Outcome, Satisfaction, Stage
from tests.issues.state import clocks_of, end_of, event_kinds, running_clock, shanghai

pytestmark = pytest.mark.django_db

NOTE = "企业反映推荐人员不符合岗位要求，请重新对接。"
REASON = "经研判，企业诉求超出现行政策范围，已作解释说明，予以办结。"


@pytest.fixture
def issue_under_review(build):
    with clock.travel_to(shanghai(2026, 2, 12, 10)):
        return build.under_review()


REOPENED_AT = shanghai(2026, 2, 13, 16)


def reopen(issue, actor, *, at=REOPENED_AT, note=NOTE):
    with clock.travel_to(at):
        return actions.reopen_issue(issue=issue, actor=actor, note=note)


def answer_and_be_dissatisfied(issue, handler, enterprise_user, *, at):
    with clock.travel_to(at):
        issue = actions.respond_to_issue(issue=issue, actor=handler, outcome=Outcome.PARTLY, reply="再次对接")
        return actions.evaluate_issue(
            issue=issue,
            actor=enterprise_user,
            satisfaction=Satisfaction.DISSATISFIED,
            was_contacted=True,
            was_solved=False,
            comment="仍未解决",
        )


# ---------------------------------------------------------------- reopen


def test_a_dispatcher_reopens_the_problem_to_the_lead_unit(issue_under_review, dispatcher, unit):
    issue = reopen(issue_under_review, dispatcher)

    issue.refresh_from_db()
    assert (issue.status, issue.lead_unit, issue.reopen_count) == (Status.HANDLING, unit, 1)
    event = IssueEvent.objects.get(issue=issue, kind="reopen")
    data = {key: value for key, value in event.data.items() if key != "clocks"}
    assert (event.note, data) == (
        NOTE,
        {"reopen_count": 1, "previous": {"outcome": "solved", "satisfaction": "dissatisfied"}},
    )


def test_a_reopened_problem_gets_a_fresh_answer_deadline_counted_from_the_reopening(
    issue_under_review, dispatcher, unit
):
    # Reopened Friday 2026-02-13: Sat Feb 14 (make-up day), then Feb 24, 25, 26, 27 after the festival.
    reopen(issue_under_review, dispatcher)

    answer = running_clock(issue_under_review, Stage.ANSWER, unit)
    assert (answer.started_at, answer.due_at, answer.cycle) == (
        shanghai(2026, 2, 13, 16),
        end_of(2026, 2, 27),
        1,
    )


def test_the_first_answer_clock_stays_as_it_was_met(issue_under_review, dispatcher, unit):
    reopen(issue_under_review, dispatcher)

    assert [(c.cycle, c.met_at) for c in clocks_of(issue_under_review, stage=Stage.ANSWER, unit=unit)] == [
        (0, shanghai(2026, 2, 12, 10)),
        (1, None),
    ]


def test_reopening_clears_the_previous_answer_and_rating(issue_under_review, dispatcher):
    issue = reopen(issue_under_review, dispatcher)

    issue.refresh_from_db()
    assert (issue.outcome, issue.response, issue.satisfaction, issue.rated_at, issue.was_solved) == (
        "",
        "",
        "",
        None,
        None,
    )


def test_a_reopening_needs_a_note(issue_under_review, dispatcher, nothing_changes):
    with nothing_changes(), pytest.raises(InvalidInput, match="请填写重办意见。"):
        reopen(issue_under_review, dispatcher, note="")


def test_the_unit_cannot_reopen_a_problem_itself(issue_under_review, handler, nothing_changes):
    with nothing_changes(), pytest.raises(NotPermitted, match="只有调度员可以进行此操作。"):
        reopen(issue_under_review, handler)


def test_a_problem_waiting_for_its_rating_cannot_be_reopened(build, dispatcher, nothing_changes):
    with clock.travel_to(shanghai(2026, 2, 12, 10)):
        issue = build.responded()

    with (
        nothing_changes(),
        pytest.raises(InvalidTransition, match="当前状态为“已答复待评价”，不能进行“重办”操作。"),
    ):
        reopen(issue, dispatcher)


def test_two_reopens_do_not_yet_escalate(issue_under_review, dispatcher, handler, enterprise_user):
    issue = reopen(issue_under_review, dispatcher, at=shanghai(2026, 2, 24, 9))
    issue = answer_and_be_dissatisfied(issue, handler, enterprise_user, at=shanghai(2026, 2, 25, 9))
    issue = reopen(issue, dispatcher, at=shanghai(2026, 2, 26, 9))

    issue.refresh_from_db()
    assert (issue.reopen_count, issue.is_escalated) == (2, False)


def test_the_third_reopen_puts_the_problem_under_supervision(
    issue_under_review, dispatcher, handler, enterprise_user
):
    issue = reopen(issue_under_review, dispatcher, at=shanghai(2026, 2, 24, 9))
    issue = answer_and_be_dissatisfied(issue, handler, enterprise_user, at=shanghai(2026, 2, 25, 9))
    issue = reopen(issue, dispatcher, at=shanghai(2026, 2, 26, 9))
    issue = answer_and_be_dissatisfied(issue, handler, enterprise_user, at=shanghai(2026, 2, 27, 9))
    issue = reopen(issue, dispatcher, at=shanghai(2026, 2, 28, 9))

    issue.refresh_from_db()
    assert (issue.reopen_count, issue.is_escalated) == (3, True)
    assert event_kinds(issue)[-2:] == ["reopen", "escalate"]
    assert IssueEvent.objects.get(issue=issue, kind="escalate").data == {
        "reason": "reopens",
        "reopens": 3,
        "transfers": 0,
    }


# ---------------------------------------------------------------- review and close


def test_a_dispatcher_reviews_and_closes_a_dissatisfied_problem_with_a_reason(issue_under_review, dispatcher):
    with clock.travel_to(shanghai(2026, 2, 13, 16)):
        issue = actions.review_close_issue(issue=issue_under_review, actor=dispatcher, reason=REASON)

    issue.refresh_from_db()
    assert (issue.status, issue.closure_kind, issue.closure_reason, issue.closed_at) == (
        Status.CLOSED,
        ClosureKind.REVIEWED,
        REASON,
        shanghai(2026, 2, 13, 16),
    )


def test_a_reviewed_closure_keeps_the_dissatisfied_rating(issue_under_review, dispatcher):
    with clock.travel_to(shanghai(2026, 2, 13, 16)):
        issue = actions.review_close_issue(issue=issue_under_review, actor=dispatcher, reason=REASON)

    issue.refresh_from_db()
    assert issue.satisfaction == Satisfaction.DISSATISFIED


def test_a_reviewed_closure_needs_a_reason(issue_under_review, dispatcher, nothing_changes):
    with nothing_changes(), pytest.raises(InvalidInput, match="请填写研判办结理由。"):
        actions.review_close_issue(issue=issue_under_review, actor=dispatcher, reason="")


def test_the_unit_head_cannot_close_a_dissatisfied_problem(issue_under_review, unit_head, nothing_changes):
    with nothing_changes(), pytest.raises(NotPermitted, match="只有调度员可以进行此操作。"):
        actions.review_close_issue(issue=issue_under_review, actor=unit_head, reason=REASON)


def test_a_problem_in_hand_cannot_be_closed_by_review(build, dispatcher, nothing_changes):
    with clock.travel_to(shanghai(2026, 2, 12, 10)):
        issue = build.handling()

    with nothing_changes(), pytest.raises(InvalidTransition, match="不能进行“研判办结”操作"):
        actions.review_close_issue(issue=issue, actor=dispatcher, reason=REASON)
