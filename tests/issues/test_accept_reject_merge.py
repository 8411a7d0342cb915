"""The dispatcher's first look: 受理 accept, 不予受理 reject, 合并 merge a duplicate."""

import pytest

from services.core import clock
from services.core.errors import InvalidInput, InvalidTransition, NotPermitted
from services.issues import actions
from services.issues.lifecycle import Status
from services.issues.models import IssueEvent, Stage
from tests.issues.state import clocks_of, event_kinds, shanghai

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------- accept


def test_a_dispatcher_accepts_a_submitted_problem(build, dispatcher):
    with clock.travel_to(shanghai(2026, 3, 2, 9)):
        issue = build.filed()
    with clock.travel_to(shanghai(2026, 3, 2, 11)):
        issue = actions.accept_issue(issue=issue, actor=dispatcher, note="属实，予以受理。")

    issue.refresh_from_db()
    assert (issue.status, issue.accepted_at) == (Status.ACCEPTED, shanghai(2026, 3, 2, 11))
    event = IssueEvent.objects.get(issue=issue, kind="accept")
    assert (event.actor, event.from_status, event.to_status, event.note) == (
        dispatcher,
        Status.SUBMITTED,
        Status.ACCEPTED,
        "属实，予以受理。",
    )


def test_accepting_meets_the_accept_clock_on_time(build, dispatcher):
    with clock.travel_to(shanghai(2026, 3, 2, 9)):
        issue = build.filed()
    with clock.travel_to(shanghai(2026, 3, 3, 17)):
        actions.accept_issue(issue=issue, actor=dispatcher)

    [accept] = clocks_of(issue, stage=Stage.ACCEPT)
    assert (accept.met_at, accept.met_on_time) == (shanghai(2026, 3, 3, 17), True)


def test_a_department_handler_cannot_accept_a_problem(build, handler, nothing_changes):
    with clock.travel_to(shanghai(2026, 3, 2, 9)):
        issue = build.filed()

    with nothing_changes(), pytest.raises(NotPermitted, match="只有调度员可以进行此操作。"):
        actions.accept_issue(issue=issue, actor=handler)


def test_an_accepted_problem_cannot_be_accepted_again(build, second_dispatcher, nothing_changes):
    with clock.travel_to(shanghai(2026, 3, 2, 9)):
        issue = build.accepted()

    with (
        nothing_changes(),
        pytest.raises(InvalidTransition, match="当前状态为“待派单”，不能进行“受理”操作。"),
    ):
        actions.accept_issue(issue=issue, actor=second_dispatcher)


# ---------------------------------------------------------------- reject


def test_a_dispatcher_rejects_a_problem_in_litigation_with_a_reason(build, dispatcher):
    with clock.travel_to(shanghai(2026, 3, 2, 9)):
        issue = build.filed()
        issue = actions.reject_issue(issue=issue, actor=dispatcher, reason="该纠纷已进入诉讼程序，不予受理。")

    issue.refresh_from_db()
    assert (issue.status, issue.closure_reason) == (Status.REJECTED, "该纠纷已进入诉讼程序，不予受理。")
    assert event_kinds(issue) == ["submit", "reject"]
    assert [c.met_at for c in clocks_of(issue, stage=Stage.ACCEPT)] == [shanghai(2026, 3, 2, 9)]


def test_a_rejection_needs_a_reason(build, dispatcher, nothing_changes):
    with clock.travel_to(shanghai(2026, 3, 2, 9)):
        issue = build.filed()

    with nothing_changes(), pytest.raises(InvalidInput, match="请填写不予受理理由。"):
        actions.reject_issue(issue=issue, actor=dispatcher, reason="  ")


def test_the_enterprise_cannot_reject_its_own_problem(build, enterprise_user, nothing_changes):
    with clock.travel_to(shanghai(2026, 3, 2, 9)):
        issue = build.filed()

    with nothing_changes(), pytest.raises(NotPermitted, match="只有调度员可以进行此操作。"):
        actions.reject_issue(issue=issue, actor=enterprise_user, reason="不想办了")


def test_an_accepted_problem_can_no_longer_be_rejected(build, dispatcher, nothing_changes):
    with clock.travel_to(shanghai(2026, 3, 2, 9)):
        issue = build.accepted()

    with nothing_changes(), pytest.raises(InvalidTransition, match="不能进行“不予受理”操作"):
        actions.reject_issue(issue=issue, actor=dispatcher, reason="超出职能范围")


# ---------------------------------------------------------------- merge


def test_a_dispatcher_merges_a_duplicate_into_the_problem_that_carries_on(build, dispatcher):
    with clock.travel_to(shanghai(2026, 3, 2, 9)):
        original = build.accepted()
        duplicate = build.filed()
    with clock.travel_to(shanghai(2026, 3, 2, 10)):
        duplicate = actions.merge_issue(issue=duplicate, actor=dispatcher, into=original, note="重复提交")

    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.merged_into) == (Status.MERGED, original)
    assert IssueEvent.objects.get(issue=duplicate, kind="merge").data == {"into": original.number}


def test_merging_stops_the_duplicates_clocks(build, dispatcher):
    with clock.travel_to(shanghai(2026, 3, 2, 9)):
        original = build.filed()
        duplicate = build.filed()
    with clock.travel_to(shanghai(2026, 3, 2, 10)):
        actions.merge_issue(issue=duplicate, actor=dispatcher, into=original)

    assert [(c.stage, c.stopped_at) for c in clocks_of(duplicate)] == [
        (Stage.ACCEPT, shanghai(2026, 3, 2, 10))
    ]


def test_a_problem_cannot_be_merged_into_itself(build, dispatcher, nothing_changes):
    with clock.travel_to(shanghai(2026, 3, 2, 9)):
        issue = build.filed()

    with nothing_changes(), pytest.raises(InvalidInput, match="不能把诉求合并到它自己。"):
        actions.merge_issue(issue=issue, actor=dispatcher, into=issue)


def test_a_problem_cannot_be_merged_into_one_withdrawn_since_the_dispatcher_opened_it(
    build, dispatcher, enterprise_user, nothing_changes
):
    with clock.travel_to(shanghai(2026, 3, 2, 9)):
        target_as_read = build.filed()
        duplicate = build.filed()
        actions.withdraw_issue(issue=target_as_read, actor=enterprise_user, reason="已自行解决")

    with nothing_changes(), pytest.raises(InvalidInput, match="目标诉求已合并、撤回或不予受理"):
        actions.merge_issue(issue=duplicate, actor=dispatcher, into=target_as_read)


def test_a_handler_cannot_merge_problems(build, handler, nothing_changes):
    with clock.travel_to(shanghai(2026, 3, 2, 9)):
        original = build.filed()
        duplicate = build.filed()

    with nothing_changes(), pytest.raises(NotPermitted, match="只有调度员可以进行此操作。"):
        actions.merge_issue(issue=duplicate, actor=handler, into=original)


def test_a_dispatched_problem_can_no_longer_be_merged(build, dispatcher, nothing_changes):
    with clock.travel_to(shanghai(2026, 3, 2, 9)):
        original = build.filed()
        duplicate = build.dispatched()

    with (
        nothing_changes(),
        pytest.raises(InvalidTransition, match="当前状态为“待签收”，不能进行“合并”操作。"),
    ):
        actions.merge_issue(issue=duplicate, actor=dispatcher, into=original)
