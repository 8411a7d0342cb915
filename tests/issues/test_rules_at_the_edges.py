"""Rules that hold at the edges (issue #11): urgent hours for every stage, the dispatchers' own clocks,
extensions, withdrawal, merging and automatic supervision. Each test names its rule."""

import pytest
from django.core.exceptions import ValidationError

from services.core import clock
from services.core.errors import InvalidInput, InvalidTransition
from services.issues import actions
from services.issues.lifecycle import Status
from services.issues.models import (
    ClockAlert,
    IssueEvent,
    IssuePolicy,
    Satisfaction,
    Stage,
    StageClock,
    Urgency,
)
from services.issues.tracking import sweep_clocks
from services.issues.workflow import available_moves
from tests.factories import EnterpriseUserFactory
from tests.issues.state import end_of, running_clock, shanghai

pytestmark = pytest.mark.django_db

REASON = "需协调市级部门会商，申请延期。"


# ---------------------------------------------------------------- 2. urgent problems count hours for every stage


def test_an_urgent_problem_filed_on_a_national_day_saturday_evening_must_be_accepted_within_hours(build):
    with clock.travel_to(shanghai(2025, 10, 4, 20)):
        issue = build.filed(urgency=Urgency.URGENT)

    accept = running_clock(issue, Stage.ACCEPT)
    assert (accept.counts_hours, accept.limit_amount, accept.due_at) == (True, 2, shanghai(2025, 10, 4, 22))


def test_a_critical_co_handlers_input_falls_due_before_the_leads_answer(build, co_unit):
    with clock.travel_to(shanghai(2026, 3, 2, 10)):
        issue = build.dispatched(co_units=[co_unit], urgency=Urgency.CRITICAL)

    co_input = running_clock(issue, Stage.CO_INPUT, co_unit)
    answer = running_clock(issue, Stage.ANSWER, issue.lead_unit)
    assert co_input.counts_hours and answer.counts_hours
    assert co_input.due_at < answer.due_at


def test_every_stage_has_an_hour_limit_for_urgent_and_critical_problems():
    policy = IssuePolicy.current()
    for urgency in ("urgent", "critical"):
        for stage in Stage.values:
            assert getattr(policy, f"{urgency}_{stage}_hours") >= 1


def test_the_default_limits_keep_each_handling_stage_ahead_of_the_next():
    IssuePolicy.current().clean()  # raises if a default broke the order


def test_settings_that_put_co_handler_input_after_the_answer_are_refused():
    policy = IssuePolicy.current()
    policy.urgent_co_input_hours = policy.urgent_answer_hours + 1

    with pytest.raises(ValidationError) as refused:
        policy.clean()

    assert "urgent_answer_hours" in refused.value.message_dict


# ---------------------------------------------------------------- 3. the dispatchers' stages have clocks


def test_accepting_starts_the_dispatchers_clock_to_dispatch(build):
    with clock.travel_to(shanghai(2026, 3, 2, 10)):
        issue = build.accepted()

    dispatch = running_clock(issue, Stage.DISPATCH)
    assert (dispatch.unit, dispatch.due_at) == (None, end_of(2026, 3, 3))


def test_dispatching_meets_the_dispatch_clock(build):
    with clock.travel_to(shanghai(2026, 3, 2, 10)):
        issue = build.dispatched()

    dispatch = StageClock.objects.get(issue=issue, stage=Stage.DISPATCH)
    assert dispatch.met_at == shanghai(2026, 3, 2, 10)


def test_a_send_back_starts_the_redispatch_clock_and_the_transfer_meets_it(
    build, handler, dispatcher, other_unit
):
    with clock.travel_to(shanghai(2026, 3, 2, 10)):
        issue = build.dispatched()
    with clock.travel_to(shanghai(2026, 3, 2, 11)):
        actions.send_back_issue(issue=issue, actor=handler, reason="该问题属于规划自然资源局职责，请改派。")
    assert running_clock(issue, Stage.REDISPATCH).due_at == end_of(2026, 3, 3)

    with clock.travel_to(shanghai(2026, 3, 3, 9)):
        actions.transfer_issue(issue=issue, actor=dispatcher, lead_unit=other_unit)

    assert StageClock.objects.get(issue=issue, stage=Stage.REDISPATCH).met_at == shanghai(2026, 3, 3, 9)


def test_a_dissatisfied_rating_starts_the_review_clock_and_a_reopen_meets_it(build, dispatcher):
    with clock.travel_to(shanghai(2026, 3, 2, 10)):
        issue = build.under_review()
    assert running_clock(issue, Stage.REVIEW).due_at == end_of(2026, 3, 4)

    with clock.travel_to(shanghai(2026, 3, 3, 10)):
        actions.reopen_issue(issue=issue, actor=dispatcher, note="请重新对接企业，推荐符合要求的焊工。")

    assert StageClock.objects.get(issue=issue, stage=Stage.REVIEW).met_at == shanghai(2026, 3, 3, 10)


def test_a_problem_left_undispatched_is_supervised_like_a_units_overdue_stage(build):
    with clock.travel_to(shanghai(2026, 3, 2, 10)):
        issue = build.accepted()

    sweep_clocks(now=shanghai(2026, 3, 4, 9))

    issue.refresh_from_db()
    assert issue.is_escalated
    event = IssueEvent.objects.get(issue=issue, kind="escalate")
    assert (event.data["stage"], event.data["unit_id"]) == (Stage.DISPATCH, None)
    assert ClockAlert.objects.filter(issue=issue, clock__stage=Stage.DISPATCH).exists()


# ---------------------------------------------------------------- 5. extensions


@pytest.fixture
def handling_issue(build):
    with clock.travel_to(shanghai(2026, 2, 9, 9)):
        return build.handling()


def ask(issue, actor, *, at, working_days=3):
    with clock.travel_to(at):
        return actions.request_extension(issue=issue, actor=actor, working_days=working_days, reason=REASON)


def decide(issue, actor, *, at, approve):
    with clock.travel_to(at):
        return actions.decide_extension(
            issue=issue, actor=actor, approve=approve, note="" if approve else "理由不足"
        )


def test_an_extension_approved_after_the_due_time_leaves_the_breach_standing(
    handling_issue, handler, dispatcher, unit
):
    ask(handling_issue, handler, at=shanghai(2026, 2, 12, 10))
    decide(handling_issue, dispatcher, at=shanghai(2026, 2, 24, 10), approve=True)  # due was Feb 14
    with clock.travel_to(shanghai(2026, 2, 25, 10)):
        actions.respond_to_issue(issue=handling_issue, actor=handler, outcome="solved", reply="已协调解决。")

    answer = StageClock.objects.get(issue=handling_issue, stage=Stage.ANSWER, unit=unit)
    assert answer.breached_at == end_of(2026, 2, 14)
    assert answer.met_at < answer.due_at
    assert answer.met_on_time is False


def test_an_extension_approved_in_time_makes_a_later_answer_on_time(
    handling_issue, handler, dispatcher, unit
):
    ask(handling_issue, handler, at=shanghai(2026, 2, 12, 10))
    decide(handling_issue, dispatcher, at=shanghai(2026, 2, 13, 10), approve=True)
    with clock.travel_to(shanghai(2026, 2, 25, 10)):
        actions.respond_to_issue(issue=handling_issue, actor=handler, outcome="solved", reply="已协调解决。")

    assert StageClock.objects.get(issue=handling_issue, stage=Stage.ANSWER, unit=unit).met_on_time is True


def test_a_declined_request_counts_towards_the_extension_limit(handling_issue, handler, dispatcher):
    ask(handling_issue, handler, at=shanghai(2026, 2, 10, 10))
    decide(handling_issue, dispatcher, at=shanghai(2026, 2, 10, 11), approve=False)

    with pytest.raises(InvalidTransition, match="含未获同意的"):
        ask(handling_issue, handler, at=shanghai(2026, 2, 11, 10))


def test_the_extension_limit_is_a_setting(handling_issue, handler, dispatcher):
    IssuePolicy.objects.filter(pk=1).update(extension_max_count=2)
    ask(handling_issue, handler, at=shanghai(2026, 2, 10, 10))
    decide(handling_issue, dispatcher, at=shanghai(2026, 2, 10, 11), approve=False)

    second = ask(handling_issue, handler, at=shanghai(2026, 2, 11, 10))

    assert second.status == "pending"


def test_after_a_transfer_the_new_unit_has_its_own_extension_allowance(
    handling_issue, handler, dispatcher, other_unit, other_handler
):
    ask(handling_issue, handler, at=shanghai(2026, 2, 10, 10))
    decide(handling_issue, dispatcher, at=shanghai(2026, 2, 10, 11), approve=True)
    with clock.travel_to(shanghai(2026, 2, 10, 14)):
        actions.transfer_issue(issue=handling_issue, actor=dispatcher, lead_unit=other_unit)
        actions.acknowledge_issue(issue=handling_issue, actor=other_handler)

    extension = ask(handling_issue, other_handler, at=shanghai(2026, 2, 11, 10))

    assert (extension.unit, extension.status) == (other_unit, "pending")


# ---------------------------------------------------------------- 6. withdrawal only before the first answer


def test_a_reopened_problem_cannot_be_withdrawn(build, dispatcher, enterprise_user, nothing_changes):
    with clock.travel_to(shanghai(2026, 3, 2, 10)):
        issue = build.under_review()
        actions.reopen_issue(issue=issue, actor=dispatcher, note="请重新对接企业。")
    issue.refresh_from_db()

    assert "withdraw" not in [move.slug for move in available_moves(actor=enterprise_user, issue=issue)]
    with nothing_changes(), pytest.raises(InvalidTransition, match="已经答复过"):
        actions.withdraw_issue(issue=issue, actor=enterprise_user, reason="问题已自行解决。")


def test_a_problem_not_yet_answered_can_still_be_withdrawn(build, enterprise_user):
    with clock.travel_to(shanghai(2026, 3, 2, 10)):
        issue = build.handling()
        actions.withdraw_issue(issue=issue, actor=enterprise_user, reason="问题已自行解决。")

    issue.refresh_from_db()
    assert issue.status == Status.WITHDRAWN


# ---------------------------------------------------------------- 7. merge only within one enterprise


def test_a_problem_cannot_be_merged_into_another_enterprises_problem(
    build, category, dispatcher, nothing_changes
):
    other = EnterpriseUserFactory(display_name="周晓红")
    with clock.travel_to(shanghai(2026, 3, 2, 10)):
        mine = build.filed()
        theirs = actions.file_issue(
            actor=other,
            enterprise=other.enterprise,
            category=category,
            title="招工难",
            description="缺焊工。",
        )

    with nothing_changes(), pytest.raises(InvalidInput, match="只能合并同一企业的诉求"):
        actions.merge_issue(issue=mine, actor=dispatcher, into=theirs)


# ---------------------------------------------------------------- 8. automatic supervision always recorded


def test_the_third_reopen_records_automatic_supervision_even_when_a_sweep_supervised_it_already(
    build, dispatcher, handler, enterprise_user
):
    with clock.travel_to(shanghai(2026, 3, 2, 10)):
        issue = build.under_review()
    day = 3
    for _round in range(3):
        with clock.travel_to(shanghai(2026, 3, day, 10)):
            actions.reopen_issue(issue=issue, actor=dispatcher, note="请重新办理。")
            if _round < 2:
                actions.respond_to_issue(issue=issue, actor=handler, outcome="solved", reply="已办理。")
                actions.evaluate_issue(
                    issue=issue,
                    actor=enterprise_user,
                    satisfaction=Satisfaction.DISSATISFIED,
                    was_contacted=True,
                    was_solved=False,
                    comment="仍未解决。",
                )
        if _round == 0:
            issue.refresh_from_db()
            issue.is_escalated = True  # a deadline sweep supervised it meanwhile
            issue.save(update_fields=["is_escalated"])
        day += 1

    events = IssueEvent.objects.filter(issue=issue, kind="escalate")
    assert [event.data.get("reason") for event in events] == ["reopens"]
