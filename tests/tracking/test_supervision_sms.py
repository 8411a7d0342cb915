"""Supervision SMS waits for working hours, except for 特急 (issue #11, item 4). The supervision itself, its
event and the inbox message keep the moment the due time passed; only the text message waits."""

import pytest

from services.core import clock
from services.issues.models import IssueEvent, Urgency
from services.issues.notify import deliver_events
from services.issues.tracking import sweep_clocks
from services.notifications.models import Channel, Delivery
from tests.factories import DispatcherFactory
from tests.issues.state import shanghai

pytestmark = pytest.mark.django_db


@pytest.fixture
def night_dispatcher(db):
    return DispatcherFactory(display_name="夜班调度", phone="13900000001")


def supervise(build, *, urgency, dispatched_at, swept_at):
    with clock.travel_to(dispatched_at):
        issue = build.dispatched(urgency=urgency)
    sweep_clocks(now=swept_at)
    events = IssueEvent.objects.filter(issue=issue, kind="escalate", data__stage="sign")
    with clock.travel_to(swept_at):
        deliver_events(list(events.values_list("pk", flat=True)))
    return events.get()


def test_a_normal_problems_supervision_text_waits_for_the_next_working_morning(build, night_dispatcher):
    event = supervise(
        build,
        urgency=Urgency.NORMAL,
        dispatched_at=shanghai(2026, 3, 2, 10),
        swept_at=shanghai(2026, 3, 4, 0, 5),
    )

    sms = Delivery.objects.get(recipient=night_dispatcher, channel=Channel.SMS)
    assert (event.created_at, sms.next_attempt_at, sms.sent_at) == (
        shanghai(2026, 3, 4, 0, 5),
        shanghai(2026, 3, 4, 9),
        None,
    )


def test_an_urgent_problems_supervision_text_on_a_friday_night_waits_for_monday(build, night_dispatcher):
    supervise(
        build,
        urgency=Urgency.URGENT,
        dispatched_at=shanghai(2026, 3, 6, 20),
        swept_at=shanghai(2026, 3, 6, 22, 5),
    )

    sms = Delivery.objects.get(recipient=night_dispatcher, channel=Channel.SMS)
    assert sms.next_attempt_at == shanghai(2026, 3, 9, 9)


def test_a_critical_problems_supervision_text_goes_out_at_once_even_at_night(build, night_dispatcher):
    supervise(
        build,
        urgency=Urgency.CRITICAL,
        dispatched_at=shanghai(2026, 3, 6, 22),
        swept_at=shanghai(2026, 3, 6, 23, 5),
    )

    sms = Delivery.objects.get(recipient=night_dispatcher, channel=Channel.SMS)
    assert sms.next_attempt_at == shanghai(2026, 3, 6, 23, 5)
    assert sms.sent_at is not None
