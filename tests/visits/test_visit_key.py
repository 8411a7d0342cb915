"""A visit sent twice with the phone's key is recorded once: the repeat returns the first visit."""

import uuid

import pytest

from services.core import clock
from services.core.errors import InvalidInput
from services.issues.models import Issue
from services.visits.actions import FoundProblem, log_visit
from services.visits.models import Visit
from tests.concurrency import race
from tests.factories import AssignmentFactory, SpecialistFactory
from tests.issues.state import shanghai

NOW = shanghai(2026, 3, 6, 18)
VISITED_AT = shanghai(2026, 3, 6, 14, 30)
KEY = uuid.UUID("6f1c2a4e-9b7d-4c3e-8a15-2f6d0b9e7c41")


def send(specialist, enterprise, category, **kw):
    kw.setdefault("visited_at", VISITED_AT)
    kw.setdefault("client_key", KEY)
    kw.setdefault(
        "problems",
        [FoundProblem(category=category, title="招工难：缺焊工30名", description="订单增长，夜班缺人。")],
    )
    with clock.travel_to(NOW):
        return log_visit(actor=specialist, enterprise=enterprise, people_met="周海燕", **kw)


@pytest.mark.django_db
def test_the_same_key_sent_twice_gives_one_visit_and_one_set_of_problems(specialist, enterprise, category):
    first = send(specialist, enterprise, category)
    again = send(specialist, enterprise, category)

    assert again.pk == first.pk
    assert Visit.objects.count() == 1
    assert Issue.objects.filter(visit=first).count() == 1


@pytest.mark.django_db
def test_a_repeat_returns_the_first_visit_even_if_its_content_differs(specialist, enterprise, category):
    first = send(specialist, enterprise, category, orders="订单排到6月")
    again = send(specialist, enterprise, category, orders="改过的内容")

    assert (again.pk, Visit.objects.get().orders) == (first.pk, "订单排到6月")


@pytest.mark.django_db
def test_different_keys_are_different_visits(specialist, enterprise, category):
    send(specialist, enterprise, category)
    send(specialist, enterprise, category, client_key=uuid.uuid4())

    assert Visit.objects.count() == 2


@pytest.mark.django_db
def test_visits_without_a_key_are_each_recorded(specialist, enterprise, category):
    send(specialist, enterprise, category, client_key=None, problems=[])
    send(specialist, enterprise, category, client_key=None, problems=[])

    assert Visit.objects.filter(client_key__isnull=True).count() == 2


@pytest.mark.django_db
def test_a_key_that_is_not_a_uuid_is_refused(specialist, enterprise, category, nothing_changes):
    with nothing_changes(), pytest.raises(InvalidInput) as refused:
        send(specialist, enterprise, category, client_key="第一次走访")

    assert "client_key" in refused.value.errors


@pytest.mark.django_db
def test_another_specialists_key_is_refused_not_returned(specialist, enterprise, category, nothing_changes):
    send(specialist, enterprise, category)
    other = SpecialistFactory(display_name="郭专员")
    AssignmentFactory(specialist=other)
    their_enterprise = other.assignments.get().enterprise

    with nothing_changes(), pytest.raises(InvalidInput) as refused:
        send(other, their_enterprise, category, problems=[])

    assert "client_key" in refused.value.errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_key_sent_twice_at_the_same_moment_gives_one_visit(specialist, enterprise, category):
    outcomes = race(*[lambda: send(specialist, enterprise, category)] * 2)

    assert all(isinstance(outcome, Visit) for outcome in outcomes), outcomes
    assert outcomes[0].pk == outcomes[1].pk
    assert Visit.objects.count() == 1
    assert Issue.objects.count() == 1
