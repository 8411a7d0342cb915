"""Who is reminded: a unit's clock reminds the unit's handlers and head; the district's acceptance clock
reminds the dispatchers. Reminders go by text only when the problem is urgent."""

import pytest

from services.core import clock
from services.issues.models import AlertKind, Stage, StageClock, Urgency
from services.issues.tracking import sweep_clocks
from services.notifications.models import Channel, Delivery, Notification
from tests.factories import HandlerFactory
from tests.issues.state import shanghai
from tests.tracking.timeline import events_of

pytestmark = pytest.mark.django_db

# Five working days from Friday 13 February 2026; the 80% reminder goes out at 09:00 on 25 February.
START = shanghai(2026, 2, 13, 10)
REMINDER_MORNING = shanghai(2026, 2, 25, 9, 0)


def reminder_of(stage_clock):
    (event,) = [event for event in events_of(stage_clock) if event.kind == "remind"]
    return event


def messages_of(event):
    return Notification.objects.filter(source_key=f"event:{event.pk}")


def test_a_reminder_goes_to_the_handlers_and_the_head_of_the_unit_whose_clock_it_is(
    hand_made_clock,
    handler,
    unit,
    unit_head,
    dispatcher,
    other_handler,
    django_capture_on_commit_callbacks,
):
    colleague = HandlerFactory(unit=unit, display_name="吴经办")
    answer = hand_made_clock(start=START, working_days=5)

    with django_capture_on_commit_callbacks(execute=True):
        sweep_clocks(now=REMINDER_MORNING)

    recipients = {message.recipient for message in messages_of(reminder_of(answer))}
    assert recipients == {handler, colleague, unit_head}


def test_the_acceptance_reminder_goes_to_the_dispatchers(
    hand_made_clock, handler, unit_head, dispatcher, second_dispatcher, django_capture_on_commit_callbacks
):
    # One working day from Friday 13 February is the make-up Saturday: reminded at nine that morning.
    accept = hand_made_clock(start=START, working_days=1, stage=Stage.ACCEPT)

    with django_capture_on_commit_callbacks(execute=True):
        sweep_clocks(now=shanghai(2026, 2, 14, 9, 0))

    recipients = {message.recipient for message in messages_of(reminder_of(accept))}
    assert recipients == {dispatcher, second_dispatcher}


def test_the_reminder_names_the_problem_the_stage_and_the_due_time(
    hand_made_clock, issue, handler, django_capture_on_commit_callbacks
):
    answer = hand_made_clock(start=START, working_days=5)

    with django_capture_on_commit_callbacks(execute=True):
        sweep_clocks(now=REMINDER_MORNING)

    message = messages_of(reminder_of(answer)).get(recipient=handler)
    assert message.title == f"提醒：诉求 {issue.number} 的“答复”将于 2026-02-27 23:59 到期"


def test_an_official_who_reads_english_is_reminded_in_english(
    hand_made_clock, issue, handler, django_capture_on_commit_callbacks
):
    handler.language = "en"
    handler.save(update_fields=["language"])
    answer = hand_made_clock(start=START, working_days=5)

    with django_capture_on_commit_callbacks(execute=True):
        sweep_clocks(now=REMINDER_MORNING)

    message = messages_of(reminder_of(answer)).get(recipient=handler)
    assert message.title == f"Reminder: “Response” for issue {issue.number} is due at 2026-02-27 23:59"


def test_a_reminder_about_an_ordinary_problem_is_not_texted(
    hand_made_clock, handler, unit_head, django_capture_on_commit_callbacks
):
    handler.phone = "13900000001"
    handler.save(update_fields=["phone"])
    answer = hand_made_clock(start=START, working_days=5)

    with django_capture_on_commit_callbacks(execute=True):
        sweep_clocks(now=REMINDER_MORNING)

    source = f"event:{reminder_of(answer).pk}"
    assert list(Delivery.objects.filter(source_key=source).values_list("channel", flat=True)) == [
        Channel.EMAIL,
        Channel.EMAIL,
    ]


def test_a_reminder_about_an_urgent_problem_is_texted(build, handler, django_capture_on_commit_callbacks):
    handler.phone = "13900000001"
    handler.save(update_fields=["phone"])
    # Dispatched on National Day evening: the unit must sign for it within two hours; reminded at 21:36.
    with clock.travel_to(shanghai(2025, 10, 1, 20)):
        issue = build.dispatched(urgency=Urgency.URGENT)
    sign = StageClock.objects.get(issue=issue, stage=Stage.SIGN)

    with django_capture_on_commit_callbacks(execute=True):
        result = sweep_clocks(now=shanghai(2025, 10, 1, 21, 36))

    assert result.alerts == {AlertKind.REMIND: 1}
    texts = Delivery.objects.filter(source_key=f"event:{reminder_of(sign).pk}", channel=Channel.SMS)
    assert list(texts.values_list("recipient", "address")) == [(handler.pk, "13900000001")]
