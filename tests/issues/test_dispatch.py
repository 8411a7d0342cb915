"""派单: the dispatcher hands an accepted problem to one lead unit and optional co-handling units.

Clocks count Chinese working days after the dispatch day (DESIGN §3); the dates below were checked against
the State Council's notices: 2025 National Day break Oct 1–8 with make-up days Sun Sep 28 and Sat Oct 11.
"""

import pytest

from services.core import clock
from services.core.errors import InvalidInput, InvalidTransition, NotPermitted
from services.issues import actions
from services.issues.lifecycle import Status
from services.issues.models import Complexity, IssueEvent, IssueUnit, Stage, UnitRole, Urgency
from tests.factories import UnitFactory
from tests.issues.state import end_of, running_clock, shanghai

pytestmark = pytest.mark.django_db


@pytest.fixture
def accepted_issue(build):
    with clock.travel_to(shanghai(2025, 9, 29, 9)):
        return build.accepted()


def dispatch_on_the_eve_of_national_day(issue, dispatcher, unit, **kw):
    with clock.travel_to(shanghai(2025, 9, 30, 10)):
        return actions.dispatch_issue(issue=issue, actor=dispatcher, lead_unit=unit, **kw)


def test_a_dispatcher_hands_the_problem_to_a_lead_unit_and_a_co_handling_unit(
    accepted_issue, dispatcher, unit, co_unit
):
    issue = dispatch_on_the_eve_of_national_day(accepted_issue, dispatcher, unit, co_units=[co_unit])

    issue.refresh_from_db()
    assert (issue.status, issue.lead_unit, issue.dispatched_at) == (
        Status.DISPATCHED,
        unit,
        shanghai(2025, 9, 30, 10),
    )
    parts = IssueUnit.objects.filter(issue=issue).order_by("role")
    assert [(p.unit, p.role, p.dispatched_at, p.ended_at) for p in parts] == [
        (co_unit, UnitRole.CO, shanghai(2025, 9, 30, 10), None),
        (unit, UnitRole.LEAD, shanghai(2025, 9, 30, 10), None),
    ]


def test_the_dispatch_event_names_the_units_by_code(accepted_issue, dispatcher, unit, co_unit):
    issue = dispatch_on_the_eve_of_national_day(accepted_issue, dispatcher, unit, co_units=[co_unit])

    event = IssueEvent.objects.get(issue=issue, kind="dispatch")
    # (The clocks the dispatch started are in the data too; tests/issues/test_clock_history.py reads them.)
    data = {key: value for key, value in event.data.items() if key != "clocks"}
    assert (event.actor, event.from_status, event.to_status, data) == (
        dispatcher,
        Status.ACCEPTED,
        Status.DISPATCHED,
        {"lead_unit": unit.code, "co_units": [co_unit.code]},
    )


def test_the_sign_deadline_skips_the_national_day_break(accepted_issue, dispatcher, unit):
    issue = dispatch_on_the_eve_of_national_day(accepted_issue, dispatcher, unit)

    sign = running_clock(issue, Stage.SIGN, unit)
    assert (sign.started_at, sign.due_at, sign.original_due_at) == (
        shanghai(2025, 9, 30, 10),
        end_of(2025, 10, 9),
        end_of(2025, 10, 9),
    )


def test_the_first_contact_deadline_is_two_working_days_after_dispatch(accepted_issue, dispatcher, unit):
    issue = dispatch_on_the_eve_of_national_day(accepted_issue, dispatcher, unit)

    assert running_clock(issue, Stage.FIRST_CONTACT, unit).due_at == end_of(2025, 10, 10)


def test_the_answer_deadline_of_a_normal_problem_counts_the_make_up_saturday(
    accepted_issue, dispatcher, unit
):
    # Oct 9, Oct 10, Sat Oct 11 (make-up day), Oct 13, Oct 14.
    issue = dispatch_on_the_eve_of_national_day(accepted_issue, dispatcher, unit)

    assert running_clock(issue, Stage.ANSWER, unit).due_at == end_of(2025, 10, 14)


def test_a_complex_problem_has_fifteen_working_days_to_answer(accepted_issue, dispatcher, unit):
    issue = dispatch_on_the_eve_of_national_day(
        accepted_issue, dispatcher, unit, complexity=Complexity.COMPLEX
    )

    issue.refresh_from_db()
    assert issue.complexity == Complexity.COMPLEX
    assert running_clock(issue, Stage.ANSWER, unit).due_at == end_of(2025, 10, 28)


def test_a_co_handling_unit_has_three_working_days_to_give_its_input(
    accepted_issue, dispatcher, unit, co_unit
):
    issue = dispatch_on_the_eve_of_national_day(accepted_issue, dispatcher, unit, co_units=[co_unit])

    assert running_clock(issue, Stage.CO_INPUT, co_unit).due_at == end_of(2025, 10, 11)


def test_an_urgent_problem_counts_hours_on_the_clock_even_in_the_spring_festival(build, dispatcher, unit):
    with clock.travel_to(shanghai(2026, 2, 14, 22)):
        issue = build.accepted(urgency=Urgency.URGENT)
        actions.dispatch_issue(issue=issue, actor=dispatcher, lead_unit=unit)

    dues = {
        stage: running_clock(issue, stage, unit) for stage in (Stage.SIGN, Stage.FIRST_CONTACT, Stage.ANSWER)
    }
    assert {stage: (c.due_at, c.counts_hours) for stage, c in dues.items()} == {
        Stage.SIGN: (shanghai(2026, 2, 15, 0), True),
        Stage.FIRST_CONTACT: (shanghai(2026, 2, 15, 2), True),
        Stage.ANSWER: (shanghai(2026, 2, 16, 22), True),
    }


def test_a_critical_problem_must_be_signed_within_one_hour_and_answered_within_a_day(build, dispatcher, unit):
    with clock.travel_to(shanghai(2026, 2, 17, 3)):
        issue = build.accepted(urgency=Urgency.CRITICAL)
        actions.dispatch_issue(issue=issue, actor=dispatcher, lead_unit=unit)

    assert (
        running_clock(issue, Stage.SIGN, unit).due_at,
        running_clock(issue, Stage.ANSWER, unit).due_at,
    ) == (shanghai(2026, 2, 17, 4), shanghai(2026, 2, 18, 3))


def test_a_co_handling_unit_named_twice_takes_part_once(accepted_issue, dispatcher, unit, co_unit):
    issue = dispatch_on_the_eve_of_national_day(accepted_issue, dispatcher, unit, co_units=[co_unit, co_unit])

    assert IssueUnit.objects.filter(issue=issue, unit=co_unit).count() == 1


def test_the_lead_unit_cannot_also_be_a_co_handling_unit(accepted_issue, dispatcher, unit, nothing_changes):
    with nothing_changes(), pytest.raises(InvalidInput, match="协办单位不能与牵头单位相同。"):
        dispatch_on_the_eve_of_national_day(accepted_issue, dispatcher, unit, co_units=[unit])


def test_a_problem_cannot_be_dispatched_to_a_retired_unit(accepted_issue, dispatcher, nothing_changes):
    retired = UnitFactory(name="重庆市江津区原工业园区管委会", short_name="原工业园区", is_active=False)

    with nothing_changes(), pytest.raises(InvalidInput, match="牵头单位已停用。"):
        dispatch_on_the_eve_of_national_day(accepted_issue, dispatcher, retired)


def test_an_unknown_complexity_is_refused(accepted_issue, dispatcher, unit, nothing_changes):
    with nothing_changes(), pytest.raises(InvalidInput, match="复杂程度的取值无效。"):
        dispatch_on_the_eve_of_national_day(accepted_issue, dispatcher, unit, complexity="very_hard")


def test_a_unit_head_cannot_dispatch(accepted_issue, unit_head, unit, nothing_changes):
    with nothing_changes(), pytest.raises(NotPermitted, match="只有调度员可以进行此操作。"):
        dispatch_on_the_eve_of_national_day(accepted_issue, unit_head, unit)


def test_a_problem_not_yet_accepted_cannot_be_dispatched(build, dispatcher, unit, nothing_changes):
    with clock.travel_to(shanghai(2025, 9, 29, 9)):
        issue = build.filed()

    with (
        nothing_changes(),
        pytest.raises(InvalidTransition, match="当前状态为“待受理”，不能进行“派单”操作。"),
    ):
        dispatch_on_the_eve_of_national_day(issue, dispatcher, unit)
