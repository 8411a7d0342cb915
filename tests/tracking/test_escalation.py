"""Supervision (督办) when a due time passes (DESIGN §4): the clock is marked overdue, the problem is put under
supervision, a notice is recorded and the unit head and the dispatchers are told; a second level follows
a configurable number of working days later and reaches the district leaders as well.

The clock used here is due at the end of Tuesday 30 September 2025, the eve of the National Day holiday.
"""

import pytest

from services.issues.models import AlertKind, IssuePolicy, Stage
from services.issues.tracking import sweep_clocks
from services.notifications.models import Channel, Delivery, Notification
from tests.issues.state import end_of, shanghai
from tests.tracking.timeline import alerts_of, events_of, kinds_of

pytestmark = pytest.mark.django_db

NATIONAL_DAY_MIDNIGHT = shanghai(2025, 10, 1, 0, 0)


@pytest.fixture
def answer(hand_made_clock):
    # Three working days from Friday 26 September 2025: the 28th (make-up Sunday), 29th and 30th.
    stage_clock = hand_made_clock(start=shanghai(2025, 9, 26, 10), working_days=3)
    assert stage_clock.due_at == end_of(2025, 9, 30)
    return stage_clock


def recipients_of(event) -> set:
    return {n.recipient for n in Notification.objects.filter(source_key=f"event:{event.pk}")}


def escalation_of(stage_clock, level: int = 1):
    (event,) = [e for e in events_of(stage_clock) if e.kind == "escalate" and e.data["level"] == level]
    return event


def test_a_clock_past_its_due_time_is_marked_overdue(answer):
    sweep_clocks(now=NATIONAL_DAY_MIDNIGHT)

    answer.refresh_from_db()
    assert answer.breached_at == NATIONAL_DAY_MIDNIGHT


def test_a_clock_is_not_overdue_in_the_last_second_of_its_due_time(answer):
    sweep_clocks(now=end_of(2025, 9, 30))

    answer.refresh_from_db()
    assert (answer.breached_at, AlertKind.ESCALATE in kinds_of(answer)) == (None, False)


def test_an_overdue_clock_puts_its_problem_under_supervision(answer, issue):
    sweep_clocks(now=NATIONAL_DAY_MIDNIGHT)

    issue.refresh_from_db()
    assert issue.is_escalated is True


def test_the_escalation_records_a_first_level_supervision_notice(answer, issue, unit):
    sweep_clocks(now=NATIONAL_DAY_MIDNIGHT)

    event = escalation_of(answer)
    assert (event.kind, event.actor, event.created_at, event.from_status, event.to_status) == (
        "escalate",
        None,
        NATIONAL_DAY_MIDNIGHT,
        issue.status,
        issue.status,
    )
    assert event.data == {
        "clock": answer.pk,
        "stage": Stage.ANSWER,
        "unit_id": unit.pk,
        "due_at": "2025-09-30T23:59:59+08:00",
        "alert": AlertKind.ESCALATE,
        "level": 1,
        "urgent": False,
    }


def test_the_escalation_goes_to_the_unit_head_and_the_dispatchers_not_the_handler(
    answer,
    handler,
    unit_head,
    dispatcher,
    second_dispatcher,
    other_handler,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        sweep_clocks(now=NATIONAL_DAY_MIDNIGHT)

    assert recipients_of(escalation_of(answer)) == {unit_head, dispatcher, second_dispatcher}


def test_the_escalation_is_texted_to_those_of_them_who_have_a_phone(
    answer, handler, unit_head, dispatcher, second_dispatcher, django_capture_on_commit_callbacks
):
    for person, phone in ((handler, "13900000001"), (unit_head, "13900000002"), (dispatcher, "13900000003")):
        person.phone = phone
        person.save(update_fields=["phone"])

    with django_capture_on_commit_callbacks(execute=True):
        sweep_clocks(now=NATIONAL_DAY_MIDNIGHT)

    texts = Delivery.objects.filter(channel=Channel.SMS, source_key=f"event:{escalation_of(answer).pk}")
    assert sorted(texts.values_list("recipient__username", "address")) == sorted(
        [(unit_head.username, "13900000002"), (dispatcher.username, "13900000003")]
    )


def test_the_second_level_follows_two_working_days_after_the_due_time_across_the_holiday(answer):
    # Two working days after 30 September: 9 and 10 October.
    sweep_clocks(now=NATIONAL_DAY_MIDNIGHT)
    sweep_clocks(now=shanghai(2025, 10, 10, 23, 59))
    assert AlertKind.ESCALATE_SECOND not in kinds_of(answer)

    sweep_clocks(now=shanghai(2025, 10, 11, 0, 0))
    assert alerts_of(answer)[-1] == (AlertKind.ESCALATE_SECOND, end_of(2025, 10, 10))


def test_the_second_level_waits_as_many_working_days_as_the_policy_says(answer):
    policy = IssuePolicy.current()
    policy.second_escalation_days = 3
    policy.save()

    # The third working day after 30 September is Saturday 11 October, a make-up day.
    sweep_clocks(now=shanghai(2025, 10, 11, 12, 0))
    assert AlertKind.ESCALATE_SECOND not in kinds_of(answer)

    sweep_clocks(now=shanghai(2025, 10, 12, 0, 0))
    assert alerts_of(answer)[-1] == (AlertKind.ESCALATE_SECOND, end_of(2025, 10, 11))


def test_the_second_level_notice_is_recorded_as_level_two(answer):
    sweep_clocks(now=NATIONAL_DAY_MIDNIGHT)
    sweep_clocks(now=shanghai(2025, 10, 11, 0, 0))

    assert escalation_of(answer, level=2).data["alert"] == AlertKind.ESCALATE_SECOND


def test_the_second_level_reaches_the_district_leaders_as_well(
    answer, handler, unit_head, dispatcher, leader, django_capture_on_commit_callbacks
):
    sweep_clocks(now=NATIONAL_DAY_MIDNIGHT)

    with django_capture_on_commit_callbacks(execute=True):
        sweep_clocks(now=shanghai(2025, 10, 11, 0, 0))

    assert recipients_of(escalation_of(answer, level=2)) == {unit_head, dispatcher, leader}


def test_an_overdue_acceptance_is_escalated_to_the_dispatchers(
    hand_made_clock, unit_head, dispatcher, second_dispatcher, django_capture_on_commit_callbacks
):
    accept = hand_made_clock(start=shanghai(2025, 9, 30, 10), working_days=1, stage=Stage.ACCEPT)
    assert accept.due_at == end_of(2025, 10, 9)

    with django_capture_on_commit_callbacks(execute=True):
        sweep_clocks(now=shanghai(2025, 10, 10, 0, 0))

    assert recipients_of(escalation_of(accept)) == {dispatcher, second_dispatcher}
