"""Two people act on one issue at the same moment: the row lock lets exactly one of them through.

Each thread has its own database connection (closed when the thread ends) and waits at a barrier so the
two calls really overlap.
"""

import pytest

from services.core import clock
from services.core.errors import InvalidTransition
from services.issues import actions
from services.issues.lifecycle import Status
from services.issues.models import Issue, IssueEvent
from tests.concurrency import race as run_together
from tests.issues.state import shanghai

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

NOW = shanghai(2026, 3, 2, 10)


def race(*calls):
    return run_together(*calls, at=NOW)


def split(outcomes):
    failures = [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    return [outcome for outcome in outcomes if not isinstance(outcome, Exception)], failures


def test_when_two_handlers_sign_at_once_exactly_one_signature_counts(build, handler, second_handler):
    with clock.travel_to(NOW):
        issue = build.dispatched()

    successes, failures = split(
        race(
            lambda: actions.acknowledge_issue(issue=issue, actor=handler),
            lambda: actions.acknowledge_issue(issue=issue, actor=second_handler),
        )
    )

    assert (len(successes), [type(f) for f in failures]) == (1, [InvalidTransition])
    assert IssueEvent.objects.filter(issue=issue, kind="acknowledge").count() == 1
    assert Issue.objects.get(pk=issue.pk).status == Status.HANDLING


def test_when_one_dispatcher_accepts_as_another_rejects_only_one_decision_stands(
    build, dispatcher, second_dispatcher
):
    with clock.travel_to(NOW):
        issue = build.filed()

    successes, failures = split(
        race(
            lambda: actions.accept_issue(issue=issue, actor=dispatcher),
            lambda: actions.reject_issue(issue=issue, actor=second_dispatcher, reason="超出受理范围"),
        )
    )

    assert (len(successes), [type(f) for f in failures]) == (1, [InvalidTransition])
    decisions = list(IssueEvent.objects.filter(issue=issue, kind__in=["accept", "reject"]))
    assert len(decisions) == 1
    assert Issue.objects.get(pk=issue.pk).status == decisions[0].to_status


def test_problems_filed_at_the_same_moment_get_distinct_numbers(enterprise_user, category):
    def file():
        return actions.file_issue(
            actor=enterprise_user,
            enterprise=enterprise_user.enterprise,
            category=category,
            title="园区道路积水，货车无法通行",
            description="暴雨后德感工业园B区道路积水严重。",
        )

    successes, failures = split(race(*[file] * 6))

    assert failures == []
    assert sorted(issue.number for issue in successes) == [f"JJ2026-0000{n}" for n in range(1, 7)]
