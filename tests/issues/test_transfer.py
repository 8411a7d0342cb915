"""转办: the dispatcher re-dispatches; the previous unit's clocks stop and the next unit's start fresh."""

import pytest

from services.core import clock
from services.core.errors import InvalidTransition, NotPermitted
from services.issues import actions
from services.issues.lifecycle import Status
from services.issues.models import IssueEvent, IssueUnit, Stage
from tests.factories import UnitFactory
from tests.issues.state import clocks_of, end_of, event_kinds, shanghai

pytestmark = pytest.mark.django_db

REASON = "该事项属供电公司职责，非本局职能，请转办。"


@pytest.fixture
def sent_back_issue(build, handler):
    with clock.travel_to(shanghai(2025, 9, 30, 10)):
        issue = build.dispatched()
    with clock.travel_to(shanghai(2025, 10, 8, 15)):
        return actions.send_back_issue(issue=issue, actor=handler, reason=REASON)


def transfer_at(moment, issue, dispatcher, unit, **kw):
    with clock.travel_to(moment):
        return actions.transfer_issue(issue=issue, actor=dispatcher, lead_unit=unit, **kw)


def test_a_sent_back_problem_is_transferred_to_the_right_unit(sent_back_issue, dispatcher, other_unit):
    issue = transfer_at(
        shanghai(2025, 10, 9, 9), sent_back_issue, dispatcher, other_unit, note="转供电公司办理"
    )

    issue.refresh_from_db()
    assert (issue.status, issue.lead_unit, issue.dispatched_at, issue.transfer_count) == (
        Status.DISPATCHED,
        other_unit,
        shanghai(2025, 10, 9, 9),
        1,
    )
    assert event_kinds(issue) == ["submit", "accept", "dispatch", "send_back", "transfer"]


def test_the_next_units_clocks_start_at_the_transfer_not_at_the_first_dispatch(
    sent_back_issue, dispatcher, other_unit
):
    transfer_at(shanghai(2025, 10, 9, 9), sent_back_issue, dispatcher, other_unit)

    running = {c.stage: (c.started_at, c.due_at) for c in clocks_of(sent_back_issue, unit=other_unit)}
    assert running == {
        Stage.SIGN: (shanghai(2025, 10, 9, 9), end_of(2025, 10, 10)),
        Stage.FIRST_CONTACT: (shanghai(2025, 10, 9, 9), end_of(2025, 10, 11)),  # a make-up Saturday
        Stage.ANSWER: (shanghai(2025, 10, 9, 9), end_of(2025, 10, 15)),
    }


def test_transferring_a_problem_in_hand_stops_the_previous_units_clocks_at_the_transfer(
    build, handler, dispatcher, unit, other_unit
):
    with clock.travel_to(shanghai(2026, 3, 2, 9)):
        issue = build.handling()

    transfer_at(shanghai(2026, 3, 4, 15), issue, dispatcher, other_unit)

    previous = {c.stage: (c.met_at, c.stopped_at) for c in clocks_of(issue, unit=unit)}
    assert previous == {
        Stage.SIGN: (shanghai(2026, 3, 2, 9), None),
        Stage.FIRST_CONTACT: (None, shanghai(2026, 3, 4, 15)),
        Stage.ANSWER: (None, shanghai(2026, 3, 4, 15)),
    }
    assert {c.started_at for c in clocks_of(issue, unit=other_unit)} == {shanghai(2026, 3, 4, 15)}


def test_transferring_ends_the_previous_units_part_and_starts_the_next(build, dispatcher, unit, other_unit):
    with clock.travel_to(shanghai(2026, 3, 2, 9)):
        issue = build.handling()

    transfer_at(shanghai(2026, 3, 4, 15), issue, dispatcher, other_unit)

    parts = IssueUnit.objects.filter(issue=issue).order_by("dispatched_at")
    assert [(p.unit, p.ended_at, p.end_reason) for p in parts] == [
        (unit, shanghai(2026, 3, 4, 15), "transferred"),
        (other_unit, None, ""),
    ]
    data = IssueEvent.objects.get(issue=issue, kind="transfer").data
    assert {key: value for key, value in data.items() if key != "clocks"} == {
        "from_unit": unit.code,
        "lead_unit": other_unit.code,
        "co_units": [],
    }


def test_two_transfers_do_not_yet_escalate(build, dispatcher, other_unit):
    with clock.travel_to(shanghai(2026, 3, 2, 9)):
        issue = build.dispatched()
    issue = transfer_at(shanghai(2026, 3, 2, 10), issue, dispatcher, other_unit)
    issue = transfer_at(shanghai(2026, 3, 2, 11), issue, dispatcher, UnitFactory())

    issue.refresh_from_db()
    assert (issue.transfer_count, issue.is_escalated) == (2, False)
    assert "escalate" not in event_kinds(issue)


def test_the_third_transfer_puts_the_problem_under_supervision(build, dispatcher, unit, other_unit):
    with clock.travel_to(shanghai(2026, 3, 2, 9)):
        issue = build.dispatched()
    for hour, next_unit in ((10, other_unit), (11, UnitFactory()), (14, unit)):
        issue = transfer_at(shanghai(2026, 3, 2, hour), issue, dispatcher, next_unit)

    issue.refresh_from_db()
    assert (issue.transfer_count, issue.is_escalated) == (3, True)
    escalation = IssueEvent.objects.get(issue=issue, kind="escalate")
    assert (escalation.actor, escalation.created_at, escalation.data) == (
        None,
        shanghai(2026, 3, 2, 14),
        {"reason": "transfers", "reopens": 0, "transfers": 3},
    )


def test_a_handler_cannot_transfer_a_problem(sent_back_issue, handler, other_unit, nothing_changes):
    with nothing_changes(), pytest.raises(NotPermitted, match="只有调度员可以进行此操作。"):
        transfer_at(shanghai(2025, 10, 9, 9), sent_back_issue, handler, other_unit)


def test_an_answered_problem_cannot_be_transferred(build, dispatcher, other_unit, nothing_changes):
    with clock.travel_to(shanghai(2026, 3, 2, 9)):
        issue = build.responded()

    with nothing_changes(), pytest.raises(InvalidTransition, match="不能进行“转办”操作"):
        transfer_at(shanghai(2026, 3, 2, 10), issue, dispatcher, other_unit)
