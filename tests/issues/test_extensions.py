"""延期: the lead unit asks at least 1 working day before the answer is due, for at most 15 working days, once;
a dispatcher decides. An approval moves the due date, never the status.

Dispatched on Monday 2026-02-09, a normal problem must be answered by Saturday 2026-02-14 (a make-up working
day); the Spring Festival break Feb 15–23 follows it.
"""

import pytest

from services.core import clock
from services.core.errors import InvalidInput, InvalidTransition, NotPermitted
from services.issues import actions
from services.issues.lifecycle import Status
from services.issues.models import ExtensionRequest, ExtensionStatus, IssueEvent, Stage
from tests.issues.state import clocks_of, end_of, running_clock, shanghai

pytestmark = pytest.mark.django_db

REASON = "需协调市级部门会商，申请延期。"


@pytest.fixture
def handling_issue(build):
    with clock.travel_to(shanghai(2026, 2, 9, 9)):
        return build.handling()


ASKED_AT = shanghai(2026, 2, 12, 10)
DECIDED_AT = shanghai(2026, 2, 13, 10)


def ask(issue, actor, *, at=ASKED_AT, working_days=3, reason=REASON):
    with clock.travel_to(at):
        return actions.request_extension(issue=issue, actor=actor, working_days=working_days, reason=reason)


def decide(issue, actor, *, approve, at=DECIDED_AT, note=""):
    with clock.travel_to(at):
        return actions.decide_extension(issue=issue, actor=actor, approve=approve, note=note)


# ---------------------------------------------------------------- asking


def test_the_answer_of_a_problem_dispatched_on_monday_is_due_on_the_make_up_saturday(handling_issue, unit):
    assert running_clock(handling_issue, Stage.ANSWER, unit).due_at == end_of(2026, 2, 14)


def test_the_lead_unit_asks_for_an_extension_and_the_status_stays(handling_issue, handler, unit):
    extension = ask(handling_issue, handler)

    handling_issue.refresh_from_db()
    assert handling_issue.status == Status.HANDLING
    assert (extension.status, extension.working_days, extension.unit, extension.old_due_at) == (
        ExtensionStatus.PENDING,
        3,
        unit,
        end_of(2026, 2, 14),
    )
    assert IssueEvent.objects.get(issue=handling_issue, kind="request_extension").note == REASON


def test_asking_on_the_last_working_day_before_the_due_date_is_in_time(handling_issue, handler):
    extension = ask(handling_issue, handler, at=shanghai(2026, 2, 13, 17))

    assert extension.status == ExtensionStatus.PENDING


def test_asking_on_the_due_date_itself_is_too_late(handling_issue, handler, nothing_changes):
    with (
        nothing_changes(),
        pytest.raises(InvalidTransition, match="延期须在答复截止日前至少1个工作日提出（截止：2026-02-14）。"),
    ):
        ask(handling_issue, handler, at=shanghai(2026, 2, 14, 9))


def test_asking_during_the_national_day_break_counts_the_working_days_left(build, handler):
    # Dispatched Friday 2025-09-26: answer due 2025-10-10 (Sun Sep 28 is a make-up day; Oct 1–8 are off).
    with clock.travel_to(shanghai(2025, 9, 26, 9)):
        issue = build.handling()

    extension = ask(issue, handler, at=shanghai(2025, 10, 8, 20))

    assert (extension.status, extension.old_due_at) == (ExtensionStatus.PENDING, end_of(2025, 10, 10))


def test_at_most_fifteen_working_days_may_be_asked(handling_issue, handler, nothing_changes):
    with nothing_changes(), pytest.raises(InvalidInput, match="延期天数应为1至15个工作日。"):
        ask(handling_issue, handler, working_days=16)


def test_zero_days_is_not_an_extension(handling_issue, handler, nothing_changes):
    with nothing_changes(), pytest.raises(InvalidInput, match="延期天数应为1至15个工作日。"):
        ask(handling_issue, handler, working_days=0)


def test_an_extension_needs_a_reason(handling_issue, handler, nothing_changes):
    with nothing_changes(), pytest.raises(InvalidInput, match="请填写延期理由。"):
        ask(handling_issue, handler, reason="")


def test_a_second_request_waits_for_the_first_to_be_decided(
    handling_issue, handler, unit_head, nothing_changes
):
    ask(handling_issue, handler)

    with nothing_changes(), pytest.raises(InvalidTransition, match="已有待审核的延期申请。"):
        ask(handling_issue, unit_head, at=shanghai(2026, 2, 12, 11))


def test_a_problem_is_extended_only_once(handling_issue, handler, dispatcher, nothing_changes):
    ask(handling_issue, handler)
    decide(handling_issue, dispatcher, approve=True)

    with (
        nothing_changes(),
        pytest.raises(
            InvalidTransition, match="本单位对该诉求的延期申请已达1次（含未获同意的），不能再次申请。"
        ),
    ):
        ask(handling_issue, handler, at=shanghai(2026, 2, 24, 9))


def test_another_unit_cannot_ask_for_the_lead_units_extension(handling_issue, other_handler, nothing_changes):
    with nothing_changes(), pytest.raises(NotPermitted, match="只有牵头单位的经办人或负责人可以进行此操作。"):
        ask(handling_issue, other_handler)


def test_no_extension_is_asked_before_the_problem_is_signed_for(build, handler, nothing_changes):
    with clock.travel_to(shanghai(2026, 2, 9, 9)):
        issue = build.dispatched()

    with nothing_changes(), pytest.raises(InvalidTransition, match="不能进行“申请延期”操作"):
        ask(issue, handler)


# ---------------------------------------------------------------- deciding


def test_an_approved_extension_moves_the_due_date_across_the_spring_festival(
    handling_issue, handler, dispatcher, unit
):
    ask(handling_issue, handler, working_days=3)

    extension = decide(handling_issue, dispatcher, approve=True)

    # After Sat Feb 14: Feb 15–23 are off, then Tue Feb 24, Wed Feb 25, Thu Feb 26.
    [answer] = clocks_of(handling_issue, stage=Stage.ANSWER, unit=unit)
    assert (answer.original_due_at, answer.due_at) == (end_of(2026, 2, 14), end_of(2026, 2, 26))
    assert (extension.status, extension.new_due_at, extension.decided_by) == (
        ExtensionStatus.APPROVED,
        end_of(2026, 2, 26),
        dispatcher,
    )


def test_approving_an_extension_leaves_the_status_and_records_both_due_dates(
    handling_issue, handler, dispatcher
):
    ask(handling_issue, handler, working_days=3)

    decide(handling_issue, dispatcher, approve=True, note="同意延期。")

    handling_issue.refresh_from_db()
    event = IssueEvent.objects.get(issue=handling_issue, kind="decide_extension")
    assert (handling_issue.status, event.from_status, event.to_status) == (
        Status.HANDLING,
        Status.HANDLING,
        Status.HANDLING,
    )
    assert (event.data["old_due_at"], event.data["new_due_at"], event.data["approved"]) == (
        end_of(2026, 2, 14).isoformat(),
        end_of(2026, 2, 26).isoformat(),
        True,
    )


def test_the_full_fifteen_days_count_the_make_up_saturday_after_the_festival(
    handling_issue, handler, dispatcher, unit
):
    ask(handling_issue, handler, working_days=15)

    decide(handling_issue, dispatcher, approve=True)

    # Feb 24–27, Sat Feb 28 (make-up day), Mar 2–6, Mar 9–13.
    assert running_clock(handling_issue, Stage.ANSWER, unit).due_at == end_of(2026, 3, 13)


def test_a_declined_extension_keeps_the_due_date(handling_issue, handler, dispatcher, unit):
    ask(handling_issue, handler)

    extension = decide(handling_issue, dispatcher, approve=False, note="理由不充分，请按期答复。")

    [answer] = clocks_of(handling_issue, stage=Stage.ANSWER, unit=unit)
    assert (answer.due_at, extension.status, extension.new_due_at) == (
        end_of(2026, 2, 14),
        ExtensionStatus.DECLINED,
        None,
    )


def test_a_decline_needs_a_note(handling_issue, handler, dispatcher, nothing_changes):
    ask(handling_issue, handler)

    with nothing_changes(), pytest.raises(InvalidInput, match="请填写审核意见。"):
        decide(handling_issue, dispatcher, approve=False)


def test_the_unit_cannot_approve_its_own_extension(handling_issue, handler, unit_head, nothing_changes):
    ask(handling_issue, handler)

    with nothing_changes(), pytest.raises(NotPermitted, match="只有调度员可以进行此操作。"):
        decide(handling_issue, unit_head, approve=True)


def test_there_is_nothing_to_decide_without_a_request(handling_issue, dispatcher, nothing_changes):
    with nothing_changes(), pytest.raises(InvalidTransition, match="没有待审核的延期申请。"):
        decide(handling_issue, dispatcher, approve=True)


def test_a_pending_extension_lapses_when_the_problem_is_transferred(
    handling_issue, handler, dispatcher, other_unit
):
    extension = ask(handling_issue, handler)

    with clock.travel_to(shanghai(2026, 2, 12, 15)):
        actions.transfer_issue(issue=handling_issue, actor=dispatcher, lead_unit=other_unit)

    extension.refresh_from_db()
    assert (extension.status, extension.decided_at, extension.new_due_at) == (
        ExtensionStatus.DECLINED,
        shanghai(2026, 2, 12, 15),
        None,
    )


def test_the_next_unit_may_ask_for_its_own_extension_after_a_transfer(
    handling_issue, handler, dispatcher, other_unit, other_handler
):
    ask(handling_issue, handler)
    with clock.travel_to(shanghai(2026, 2, 12, 15)):
        issue = actions.transfer_issue(issue=handling_issue, actor=dispatcher, lead_unit=other_unit)
        issue = actions.acknowledge_issue(issue=issue, actor=other_handler)

    extension = ask(issue, other_handler, at=shanghai(2026, 2, 13, 9))

    assert (extension.unit, ExtensionRequest.objects.filter(issue=issue, status="pending").count()) == (
        other_unit,
        1,
    )


def test_an_answer_makes_a_pending_extension_lapse(handling_issue, handler):
    extension = ask(handling_issue, handler)

    with clock.travel_to(shanghai(2026, 2, 13, 9)):
        actions.respond_to_issue(issue=handling_issue, actor=handler, outcome="solved", reply="已解决。")

    extension.refresh_from_db()
    assert (extension.status, extension.decision_note) == (
        ExtensionStatus.DECLINED,
        "已答复，延期申请自动失效。",
    )
