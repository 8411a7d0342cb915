"""The history is append-only in the database itself (issue #11, item 13): on PostgreSQL a trigger refuses
UPDATE and DELETE of an event row; deleting a problem does not take its events with it; delivery
bookkeeping lives beside the event, in the outbox table."""

import pytest
from django.db import DatabaseError, transaction
from django.db.models import ProtectedError

from services.core import clock
from services.issues.models import EventOutbox, Issue, IssueEvent
from tests.issues.state import shanghai

pytestmark = pytest.mark.django_db


@pytest.fixture
def issue(build):
    with clock.travel_to(shanghai(2026, 3, 2, 10)):
        return build.dispatched()


@pytest.mark.postgres
def test_the_database_refuses_to_change_an_event(issue):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        IssueEvent.objects.filter(issue=issue, kind="submit").update(note="改写历史")

    assert IssueEvent.objects.get(issue=issue, kind="submit").note == ""


@pytest.mark.postgres
def test_the_database_refuses_to_delete_an_event(issue):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        IssueEvent.objects.filter(issue=issue, kind="submit")._raw_delete(IssueEvent.objects.db)

    assert IssueEvent.objects.filter(issue=issue, kind="submit").exists()


def test_deleting_a_problem_does_not_cascade_its_events_away(issue):
    with pytest.raises(ProtectedError), transaction.atomic():
        Issue.objects.filter(pk=issue.pk).delete()

    assert IssueEvent.objects.filter(issue=issue).count() == 3


def test_every_event_gets_an_outbox_row_waiting_for_its_notifications(issue):
    events = IssueEvent.objects.filter(issue=issue)

    assert sorted(
        EventOutbox.objects.filter(notified_at__isnull=True).values_list("event_id", flat=True)
    ) == sorted(events.values_list("pk", flat=True))


def test_delivering_marks_the_outbox_not_the_event(issue):
    from services.issues.notify import deliver_events

    event = IssueEvent.objects.get(issue=issue, kind="dispatch")
    with clock.travel_to(shanghai(2026, 3, 2, 10, 1)):
        deliver_events([event.pk])

    assert EventOutbox.objects.get(event=event).notified_at == shanghai(2026, 3, 2, 10, 1)
