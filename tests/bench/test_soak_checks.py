"""The soak's own checks (bench/soak.py) find what they are meant to find. The soak itself never runs here."""

import pytest

from bench.soak import check_writes, in_fault_window, percentile
from services.issues.models import IssueEvent
from tests.factories.issues import filed

KEY = "0123456789ab"
OTHER_KEY = "ba9876543210"


def title(key):
    return f"压测{key} 请协调解决招工难问题"


def marks_around(run):
    first = IssueEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    run()
    return {
        "event": first,
        "event_end": IssueEvent.objects.order_by("-pk").values_list("pk", flat=True).first(),
    }


def test_percentiles_are_nearest_rank():
    values = sorted(range(1, 101))

    assert percentile(values, 0.5) == 50
    assert percentile(values, 0.99) == 99
    assert percentile([], 0.99) == 0.0


def test_a_request_counts_in_a_faults_window_until_the_grace_after_it_ends():
    faults = [{"fault": "redis", "start": 100.0, "end": 101.0}]

    assert in_fault_window(99.5, faults) == "redis"
    assert in_fault_window(115.9, faults) == "redis"
    assert in_fault_window(117.0, faults) is None


@pytest.mark.django_db
def test_an_acknowledged_filing_that_is_not_in_the_database_is_reported_lost(enterprise_user, category):
    marks = marks_around(lambda: filed(enterprise_user=enterprise_user, category=category, title=title(KEY)))
    kept = IssueEvent.objects.get(pk=marks["event_end"]).issue_id
    journal = [
        {"w": "file", "key": KEY, "id": kept, "ack": True},
        {"w": "file", "key": OTHER_KEY, "id": kept + 1000, "ack": True},
    ]

    result = check_writes(journal, marks)

    assert result["filings_lost"] == [OTHER_KEY]
    assert result["filings_twice"] == []


@pytest.mark.django_db
def test_a_key_filed_twice_is_reported_even_when_no_answer_came_back(enterprise_user, category):
    def file_twice():
        filed(enterprise_user=enterprise_user, category=category, title=title(KEY))
        filed(enterprise_user=enterprise_user, category=category, title=title(KEY))

    marks = marks_around(file_twice)
    journal = [{"w": "file", "key": KEY, "ack": False}, {"w": "file", "key": KEY, "ack": False}]

    result = check_writes(journal, marks)

    assert result["filings_twice"] == [KEY]
    assert result["writes_unanswered"] == 1
    assert result["writes_unanswered_then_acknowledged"] == 0


@pytest.mark.django_db
def test_an_acknowledged_move_without_its_event_is_reported_lost(enterprise_user, category, dispatcher):
    marks = marks_around(lambda: filed(enterprise_user=enterprise_user, category=category, title=title(KEY)))
    issue_id = IssueEvent.objects.get(pk=marks["event_end"]).issue_id
    journal = [{"w": "move", "issue": issue_id, "slug": "accept", "actor": dispatcher.pk, "ack": True}]

    result = check_writes(journal, marks)

    assert [move["slug"] for move in result["moves_lost"]] == ["accept"]
