"""A real Celery worker, on Redis, delivers what an action scheduled after its commit, and what a sweep sent
by name through the broker raised, exactly once."""

import datetime as dt

import pytest
from django.conf import settings

from services.core import clock
from services.core.models import SweepRun
from services.issues.models import AlertKind, ClockAlert, EventOutbox, IssueEvent, Stage
from services.notifications.models import Notification
from services.workcalendar.calendar import SHANGHAI
from tests.factories import issues as make
from tests.integration.workers import send, wait_for

pytestmark = pytest.mark.postgres


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


def everything_notified() -> bool:
    return not EventOutbox.objects.filter(notified_at__isnull=True).exists()


def test_a_filed_issue_reaches_the_dispatchers_inbox_through_a_real_worker(
    start_worker, enterprise_user, dispatcher, category
):
    assert settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    start_worker(ready=False)
    issue = make.filed(enterprise_user=enterprise_user, category=category)

    assert wait_for(lambda: Notification.objects.filter(recipient=dispatcher).exists()), (
        "worker delivered nothing"
    )
    notification = Notification.objects.get(recipient=dispatcher)
    assert issue.number in notification.title
    assert wait_for(
        lambda: not EventOutbox.objects.filter(event__issue=issue, notified_at__isnull=True).exists()
    )
    assert Notification.objects.filter(recipient=dispatcher).count() == 1


def test_a_reminder_raised_by_a_sweep_sent_three_times_reaches_the_units_inbox_once(
    start_worker, enterprise_user, dispatcher, handler, category
):
    # Given a problem filed and dispatched on Monday 2 March 2026 at 16:00: the unit must sign by the end of
    # Tuesday, and is reminded on Tuesday at 09:00 (the last day) and again at 80% of the time (17:36).
    worker = start_worker(ready=False)
    with clock.travel_to(at(2026, 3, 2, 16)):
        issue = make.dispatched(
            dispatcher=dispatcher, unit=handler.unit, enterprise_user=enterprise_user, category=category
        )
    assert wait_for(everything_notified), worker.output()
    before = Notification.objects.filter(recipient=handler).count()

    # When beat's sweep goes through the broker three times, as of Tuesday 17:00.
    for _ in range(3):
        send("issues.sweep_clocks", now=at(2026, 3, 3, 17).isoformat())

    # Then the worker ran it three times and the last-day reminder reached the handler's inbox once.
    assert wait_for(lambda: SweepRun.objects.filter(name="issues.sweep_clocks").count() == 3), worker.output()
    assert wait_for(everything_notified), worker.output()
    runs = SweepRun.objects.filter(name="issues.sweep_clocks").order_by("started_at")
    assert [(run.processed, run.error) for run in runs] == [(1, ""), (0, ""), (0, "")]
    alert = ClockAlert.objects.get(issue=issue)
    assert (alert.kind, alert.clock.stage) == (AlertKind.REMIND_LAST_DAY, Stage.SIGN)
    reminders = Notification.objects.filter(recipient=handler, kind="remind")
    assert [n.source_key for n in reminders] == [f"event:{IssueEvent.objects.get(kind='remind').pk}"]
    assert issue.number in reminders[0].title
    assert Notification.objects.filter(recipient=handler).count() == before + 1
    assert not Notification.objects.filter(recipient=dispatcher, kind="remind").exists()
