"""An admin page costs as many queries with 3 rows (or one dispatch) as with 30 (or six transfers)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from services.issues import actions
from tests.factories import (
    AssignmentFactory,
    CategoryFactory,
    EnterpriseUserFactory,
    SpecialistFactory,
    VisitFactory,
)
from tests.factories import issues as make


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def _issues(count: int, *, dispatcher, unit, category) -> None:
    for _ in range(count):
        make.dispatched(
            enterprise_user=EnterpriseUserFactory(), dispatcher=dispatcher, unit=unit, category=category
        )


def _enterprises_with_specialists(count: int) -> None:
    for _ in range(count):
        AssignmentFactory(specialist=SpecialistFactory())


def _visits(count: int) -> None:
    for _ in range(count):
        VisitFactory()


ISSUE_LISTS = ["issues_issue", "issues_issueevent", "issues_stageclock", "issues_issueunit"]
ENTERPRISE_LISTS = ["enterprises_enterprise", "enterprises_specialistassignment", "accounts_user"]


@pytest.mark.django_db
@pytest.mark.parametrize("admin_name", ISSUE_LISTS)
def test_the_issue_lists_do_not_query_per_row(
    superuser_client, dispatcher, unit, django_assert_max_num_queries, admin_name
):
    # Level-2 categories: their names read their parent's, the classic per-row query.
    category = CategoryFactory(name="招工难", parent=CategoryFactory(name="用工"))
    url = reverse(f"admin:{admin_name}_changelist")
    _issues(3, dispatcher=dispatcher, unit=unit, category=category)
    with_three = _queries(superuser_client, url)

    _issues(27, dispatcher=dispatcher, unit=unit, category=category)

    with django_assert_max_num_queries(with_three):
        superuser_client.get(url)


@pytest.mark.django_db
@pytest.mark.parametrize("admin_name", ENTERPRISE_LISTS)
def test_the_enterprise_lists_do_not_query_per_row(
    superuser_client, django_assert_max_num_queries, admin_name
):
    url = reverse(f"admin:{admin_name}_changelist")
    _enterprises_with_specialists(3)
    with_three = _queries(superuser_client, url)

    _enterprises_with_specialists(27)

    with django_assert_max_num_queries(with_three):
        superuser_client.get(url)


@pytest.mark.django_db
def test_the_visit_list_does_not_query_per_row(superuser_client, django_assert_max_num_queries):
    url = reverse("admin:visits_visit_changelist")
    _visits(3)
    with_three = _queries(superuser_client, url)

    _visits(27)

    with django_assert_max_num_queries(with_three):
        superuser_client.get(url)


@pytest.mark.django_db
def test_the_issue_page_does_not_query_per_unit_clock_or_event(
    superuser_client, enterprise_user, dispatcher, unit, other_unit, category, django_assert_max_num_queries
):
    issue = make.dispatched(
        enterprise_user=enterprise_user, dispatcher=dispatcher, unit=unit, category=category
    )
    url = reverse("admin:issues_issue_change", args=[issue.pk])
    with_one_dispatch = _queries(superuser_client, url)

    # Each transfer ends the units' parts, stops their clocks and starts new ones, and records events.
    for lead, co in [(other_unit, unit), (unit, other_unit)] * 3:
        actions.transfer_issue(issue=issue, actor=dispatcher, lead_unit=lead, co_units=[co], note="职责调整")

    with django_assert_max_num_queries(with_one_dispatch):
        superuser_client.get(url)
