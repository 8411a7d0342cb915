"""退回: the lead unit sends a wrongly dispatched problem back, within the sign deadline, with a reason.

Dispatched on Tuesday 2025-09-30, the problem must be signed by 2025-10-09 23:59:59 (the National Day break
Oct 1–8 does not count).
"""

import pytest

from services.core import clock
from services.core.errors import InvalidInput, InvalidTransition, NotPermitted
from services.issues import actions
from services.issues.lifecycle import Status
from services.issues.models import IssueEvent, IssueUnit, Urgency
from tests.issues.state import clocks_of, shanghai

pytestmark = pytest.mark.django_db

REASON = "该事项属供电公司职责，非本局职能，请转办。"


@pytest.fixture
def dispatched_issue(build, co_unit):
    with clock.travel_to(shanghai(2025, 9, 30, 10)):
        return build.dispatched(co_units=[co_unit])


def test_the_lead_unit_sends_back_a_wrongly_dispatched_problem_on_the_last_day_to_sign(
    dispatched_issue, handler
):
    with clock.travel_to(shanghai(2025, 10, 9, 23, 30)):
        issue = actions.send_back_issue(issue=dispatched_issue, actor=handler, reason=REASON)

    issue.refresh_from_db()
    assert (issue.status, issue.lead_unit) == (Status.SENT_BACK, None)
    event = IssueEvent.objects.get(issue=issue, kind="send_back")
    data = {key: value for key, value in event.data.items() if key != "clocks"}
    assert (event.actor, event.actor_unit, event.note, data) == (
        handler,
        handler.unit,
        REASON,
        {"unit": handler.unit.code},
    )


def test_a_problem_may_be_sent_back_during_the_holiday_before_the_sign_deadline(dispatched_issue, handler):
    with clock.travel_to(shanghai(2025, 10, 5, 15)):
        issue = actions.send_back_issue(issue=dispatched_issue, actor=handler, reason=REASON)

    assert issue.status == Status.SENT_BACK


def test_sending_back_stops_every_clock_and_ends_every_units_part(dispatched_issue, handler):
    with clock.travel_to(shanghai(2025, 10, 9, 9)):
        actions.send_back_issue(issue=dispatched_issue, actor=handler, reason=REASON)

    assert {c.stopped_at for c in clocks_of(dispatched_issue, unit__isnull=False)} == {
        shanghai(2025, 10, 9, 9)
    }
    assert {(p.ended_at, p.end_reason) for p in IssueUnit.objects.filter(issue=dispatched_issue)} == {
        (shanghai(2025, 10, 9, 9), "sent_back")
    }


def test_a_signed_problem_may_still_be_sent_back_within_the_sign_deadline(dispatched_issue, handler):
    with clock.travel_to(shanghai(2025, 10, 9, 9)):
        issue = actions.acknowledge_issue(issue=dispatched_issue, actor=handler)
        issue = actions.send_back_issue(issue=issue, actor=handler, reason=REASON)

    assert issue.status == Status.SENT_BACK


def test_after_the_sign_deadline_a_problem_can_no_longer_be_sent_back(
    dispatched_issue, handler, nothing_changes
):
    with (
        clock.travel_to(shanghai(2025, 10, 10, 0, 0, 1)),
        nothing_changes(),
        pytest.raises(InvalidTransition, match="已超过签收时限，不能退回；如确属错派，请联系调度员转办。"),
    ):
        actions.send_back_issue(issue=dispatched_issue, actor=handler, reason=REASON)


def test_an_urgent_problem_can_be_sent_back_only_within_its_two_hours(build, handler, nothing_changes):
    with clock.travel_to(shanghai(2026, 2, 16, 8)):
        issue = build.dispatched(urgency=Urgency.URGENT)

    with (
        clock.travel_to(shanghai(2026, 2, 16, 10, 0, 1)),
        nothing_changes(),
        pytest.raises(InvalidTransition, match="已超过签收时限"),
    ):
        actions.send_back_issue(issue=issue, actor=handler, reason=REASON)


def test_a_send_back_needs_a_reason(dispatched_issue, handler, nothing_changes):
    with (
        clock.travel_to(shanghai(2025, 10, 9, 9)),
        nothing_changes(),
        pytest.raises(InvalidInput, match="请填写退回理由。"),
    ):
        actions.send_back_issue(issue=dispatched_issue, actor=handler, reason="")


def test_a_co_handling_unit_cannot_send_the_problem_back(dispatched_issue, co_handler, nothing_changes):
    with (
        clock.travel_to(shanghai(2025, 10, 9, 9)),
        nothing_changes(),
        pytest.raises(NotPermitted, match="只有牵头单位的经办人或负责人可以进行此操作。"),
    ):
        actions.send_back_issue(issue=dispatched_issue, actor=co_handler, reason=REASON)


def test_a_problem_already_answered_cannot_be_sent_back(build, handler, nothing_changes):
    with clock.travel_to(shanghai(2026, 3, 2, 9)):
        issue = build.responded()

    with (
        clock.travel_to(shanghai(2026, 3, 2, 10)),
        nothing_changes(),
        pytest.raises(InvalidTransition, match="当前状态为“已答复待评价”，不能进行“退回”操作。"),
    ):
        actions.send_back_issue(issue=issue, actor=handler, reason=REASON)
