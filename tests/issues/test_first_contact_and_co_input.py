"""办理: the lead unit records its first contact with the enterprise; co-handling units give input to the lead."""

import pytest

from services.core import clock
from services.core.errors import InvalidTransition, NotPermitted
from services.issues import actions
from services.issues.lifecycle import Status
from services.issues.models import IssueEvent, IssueUnit, Outcome, Stage
from tests.issues.state import clocks_of, shanghai

pytestmark = pytest.mark.django_db

CONTACT = "已电话联系企业周海燕，约定10月10日上门对接用工需求。"
INPUT = "我局可于本周六（调休上班）举办专场招聘会，提供焊工岗位推送。"


@pytest.fixture
def handling_issue(build, handler, co_unit):
    with clock.travel_to(shanghai(2025, 9, 30, 10)):
        issue = build.dispatched(co_units=[co_unit])
        return actions.acknowledge_issue(issue=issue, actor=handler)


# ---------------------------------------------------------------- first contact


def test_the_lead_unit_records_its_first_contact_with_the_enterprise(handling_issue, handler, unit):
    with clock.travel_to(shanghai(2025, 10, 9, 10)):
        issue = actions.record_first_contact(issue=handling_issue, actor=handler, note=CONTACT)

    issue.refresh_from_db()
    assert issue.status == Status.HANDLING
    assert IssueUnit.objects.get(issue=issue, unit=unit).first_contact_at == shanghai(2025, 10, 9, 10)
    assert IssueEvent.objects.get(issue=issue, kind="record_contact").note == CONTACT


def test_a_first_contact_on_the_second_working_day_after_the_holiday_is_on_time(
    handling_issue, handler, unit
):
    with clock.travel_to(shanghai(2025, 10, 10, 17)):
        actions.record_first_contact(issue=handling_issue, actor=handler, note=CONTACT)

    [contact] = clocks_of(handling_issue, stage=Stage.FIRST_CONTACT, unit=unit)
    assert (contact.due_at, contact.met_on_time) == (shanghai(2025, 10, 10, 23, 59, 59), True)


def test_a_first_contact_is_recorded_only_once(handling_issue, handler, nothing_changes):
    with clock.travel_to(shanghai(2025, 10, 9, 10)):
        issue = actions.record_first_contact(issue=handling_issue, actor=handler, note=CONTACT)

    with (
        clock.travel_to(shanghai(2025, 10, 9, 11)),
        nothing_changes(),
        pytest.raises(InvalidTransition, match="已记录过首次联系。"),
    ):
        actions.record_first_contact(issue=issue, actor=handler, note="再次联系")


def test_a_unit_cannot_record_contact_before_signing_for_the_problem(build, handler, nothing_changes):
    with clock.travel_to(shanghai(2025, 9, 30, 10)):
        issue = build.dispatched()

    with (
        nothing_changes(),
        pytest.raises(InvalidTransition, match="当前状态为“待签收”，不能进行“首次联系”操作。"),
    ):
        actions.record_first_contact(issue=issue, actor=handler, note=CONTACT)


def test_another_unit_cannot_record_the_lead_units_contact(handling_issue, other_handler, nothing_changes):
    with nothing_changes(), pytest.raises(NotPermitted, match="只有牵头单位的经办人或负责人可以进行此操作。"):
        actions.record_first_contact(issue=handling_issue, actor=other_handler, note=CONTACT)


# ---------------------------------------------------------------- co-handler input


def test_a_co_handling_unit_gives_its_input_to_the_lead(handling_issue, co_handler, co_unit):
    with clock.travel_to(shanghai(2025, 10, 11, 10)):  # a make-up Saturday
        issue = actions.submit_co_input(issue=handling_issue, actor=co_handler, text=INPUT)

    issue.refresh_from_db()
    assert issue.status == Status.HANDLING
    part = IssueUnit.objects.get(issue=issue, unit=co_unit)
    assert (part.input_text, part.input_at) == (INPUT, shanghai(2025, 10, 11, 10))
    [co_input] = clocks_of(issue, stage=Stage.CO_INPUT, unit=co_unit)
    assert (co_input.met_at, co_input.met_on_time) == (shanghai(2025, 10, 11, 10), True)


def test_a_co_handling_unit_may_give_input_before_the_lead_signs(build, co_unit, co_handler):
    with clock.travel_to(shanghai(2025, 9, 30, 10)):
        issue = build.dispatched(co_units=[co_unit])
        issue = actions.submit_co_input(issue=issue, actor=co_handler, text=INPUT)

    assert (issue.status, IssueEvent.objects.filter(issue=issue, kind="co_handler_input").count()) == (
        Status.DISPATCHED,
        1,
    )


def test_the_lead_unit_cannot_give_co_handling_input(handling_issue, handler, nothing_changes):
    with (
        nothing_changes(),
        pytest.raises(NotPermitted, match="只有协办单位的经办人或负责人可以提交协办意见。"),
    ):
        actions.submit_co_input(issue=handling_issue, actor=handler, text=INPUT)


def test_a_unit_not_named_as_co_handler_cannot_give_input(handling_issue, other_handler, nothing_changes):
    with (
        nothing_changes(),
        pytest.raises(NotPermitted, match="只有协办单位的经办人或负责人可以提交协办意见。"),
    ):
        actions.submit_co_input(issue=handling_issue, actor=other_handler, text=INPUT)


def test_a_co_handling_unit_gives_its_input_once(handling_issue, co_handler, co_unit_head, nothing_changes):
    with clock.travel_to(shanghai(2025, 10, 9, 10)):
        issue = actions.submit_co_input(issue=handling_issue, actor=co_handler, text=INPUT)

    with nothing_changes(), pytest.raises(InvalidTransition, match="本单位已提交过协办意见。"):
        actions.submit_co_input(issue=issue, actor=co_unit_head, text="补充意见")


def test_the_co_handlers_clock_stops_when_the_lead_answers_without_its_input(
    handling_issue, handler, co_unit
):
    with clock.travel_to(shanghai(2025, 10, 10, 16)):
        actions.respond_to_issue(issue=handling_issue, actor=handler, outcome=Outcome.SOLVED, reply="已解决")

    [co_input] = clocks_of(handling_issue, stage=Stage.CO_INPUT, unit=co_unit)
    assert (co_input.met_at, co_input.stopped_at) == (None, shanghai(2025, 10, 10, 16))


def test_no_co_handling_input_is_taken_once_the_lead_has_answered(
    handling_issue, handler, co_handler, nothing_changes
):
    with clock.travel_to(shanghai(2025, 10, 10, 16)):
        issue = actions.respond_to_issue(
            issue=handling_issue, actor=handler, outcome=Outcome.SOLVED, reply="已解决"
        )

    with nothing_changes(), pytest.raises(InvalidTransition, match="不能进行“协办意见”操作"):
        actions.submit_co_input(issue=issue, actor=co_handler, text=INPUT)
