"""One term per concept (issue #11, item 10): "escalate" names 督办 only; the answer outcome 提级办理 is
``referred_up``, and the migration rewrites outcomes stored before, in the history too, despite the
append-only trigger."""

import importlib

import pytest
from django.apps import apps
from django.db import connection

from services.core import clock
from services.issues.models import Issue, IssueEvent, Outcome
from tests.issues.state import shanghai

pytestmark = pytest.mark.django_db

rename = importlib.import_module("services.issues.migrations.0008_outcome_referred_up_is_not_escalate")


def test_the_answer_outcome_passed_to_a_higher_level_is_not_called_escalated():
    assert Outcome.REFERRED_UP.value == "referred_up"
    assert "escalated" not in Outcome.values


@pytest.mark.postgres
def test_the_migration_renames_stored_outcomes_in_issues_and_in_their_history(build):
    with clock.travel_to(shanghai(2026, 3, 2, 10)):
        issue = build.responded()
    Issue.objects.filter(pk=issue.pk).update(outcome="escalated")
    with connection.cursor() as cursor:  # an answer recorded before the rename, written as it was then
        cursor.execute(
            "SET CONSTRAINTS ALL IMMEDIATE"
        )  # as if committed long ago: no deferred checks pending
        cursor.execute("ALTER TABLE issues_issueevent DISABLE TRIGGER issue_event_append_only")
        IssueEvent.objects.filter(issue=issue, kind="respond").update(data={"outcome": "escalated"})
        cursor.execute("ALTER TABLE issues_issueevent ENABLE TRIGGER issue_event_append_only")

    with connection.schema_editor() as schema_editor:
        rename._rename("escalated", "referred_up")(apps, schema_editor)

    issue.refresh_from_db()
    assert issue.outcome == "referred_up"
    assert IssueEvent.objects.get(issue=issue, kind="respond").data == {"outcome": "referred_up"}
