"""签收 (= 报到): the lead unit signs for a dispatched problem."""

import pytest

from services.core import clock
from services.core.errors import InvalidTransition, NotPermitted
from services.issues import actions
from services.issues.lifecycle import Status
from services.issues.models import IssueEvent, IssueUnit, Stage
from tests.issues.state import clocks_of, shanghai

pytestmark = pytest.mark.django_db


@pytest.fixture
def dispatched_issue(build, co_unit):
    # Dispatched on the eve of National Day 2025: due to be signed by 2025-10-09 23:59:59.
    with clock.travel_to(shanghai(2025, 9, 30, 10)):
        return build.dispatched(co_units=[co_unit])


def test_a_handler_of_the_lead_unit_signs_for_the_problem(dispatched_issue, handler):
    with clock.travel_to(shanghai(2025, 10, 9, 8, 30)):
        issue = actions.acknowledge_issue(issue=dispatched_issue, actor=handler)

    issue.refresh_from_db()
    assert issue.status == Status.HANDLING
    event = IssueEvent.objects.get(issue=issue, kind="acknowledge")
    assert (event.actor, event.actor_unit, event.from_status, event.to_status) == (
        handler,
        handler.unit,
        Status.DISPATCHED,
        Status.HANDLING,
    )


def test_signing_on_the_first_working_day_after_the_holiday_is_on_time(dispatched_issue, handler, unit):
    with clock.travel_to(shanghai(2025, 10, 9, 8, 30)):
        actions.acknowledge_issue(issue=dispatched_issue, actor=handler)

    [sign] = clocks_of(dispatched_issue, stage=Stage.SIGN, unit=unit)
    assert (sign.met_at, sign.met_on_time) == (shanghai(2025, 10, 9, 8, 30), True)
    assert IssueUnit.objects.get(issue=dispatched_issue, unit=unit).acknowledged_at == shanghai(
        2025, 10, 9, 8, 30
    )


def test_signing_the_day_after_the_deadline_is_recorded_as_late(dispatched_issue, handler, unit):
    with clock.travel_to(shanghai(2025, 10, 10, 9)):
        actions.acknowledge_issue(issue=dispatched_issue, actor=handler)

    [sign] = clocks_of(dispatched_issue, stage=Stage.SIGN, unit=unit)
    assert (sign.due_at < sign.met_at, sign.met_on_time) == (True, False)


def test_the_head_of_the_lead_unit_may_sign_too(dispatched_issue, unit_head):
    with clock.travel_to(shanghai(2025, 10, 9, 9)):
        issue = actions.acknowledge_issue(issue=dispatched_issue, actor=unit_head)

    assert issue.status == Status.HANDLING


def test_a_unit_cannot_sign_for_a_problem_dispatched_to_another_unit(
    dispatched_issue, other_handler, nothing_changes
):
    with (
        clock.travel_to(shanghai(2025, 10, 9, 9)),
        nothing_changes(),
        pytest.raises(NotPermitted, match="只有牵头单位的经办人或负责人可以进行此操作。"),
    ):
        actions.acknowledge_issue(issue=dispatched_issue, actor=other_handler)


def test_a_co_handling_unit_cannot_sign_for_the_lead(dispatched_issue, co_handler, nothing_changes):
    with (
        clock.travel_to(shanghai(2025, 10, 9, 9)),
        nothing_changes(),
        pytest.raises(NotPermitted, match="只有牵头单位的经办人或负责人可以进行此操作。"),
    ):
        actions.acknowledge_issue(issue=dispatched_issue, actor=co_handler)


def test_a_problem_cannot_be_signed_for_twice(dispatched_issue, handler, second_handler, nothing_changes):
    with clock.travel_to(shanghai(2025, 10, 9, 9)):
        issue = actions.acknowledge_issue(issue=dispatched_issue, actor=handler)

    with (
        clock.travel_to(shanghai(2025, 10, 9, 10)),
        nothing_changes(),
        pytest.raises(InvalidTransition, match="当前状态为“办理中”，不能进行“签收”操作。"),
    ):
        actions.acknowledge_issue(issue=issue, actor=second_handler)
