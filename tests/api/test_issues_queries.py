"""Query counts of the issue lists and detail do not grow with the page size or the amount of data."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from services.issues import actions
from tests.factories import EnterpriseUserFactory
from tests.factories import issues as make

pytestmark = pytest.mark.django_db


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(captured)


@pytest.fixture
def many(enterprise_user, dispatcher, handler, category, co_unit, enterprise):
    """``many(n)``: n more issues in various stages, from several enterprises, all dispatched to one unit."""

    def build(count: int) -> list:
        built = []
        for index in range(count):
            filer = enterprise_user if index % 2 else EnterpriseUserFactory(enterprise=enterprise)
            kw = {"enterprise_user": filer, "category": category, "dispatcher": dispatcher}
            if index % 3 == 0:
                built.append(make.handling(handler=handler, co_units=[co_unit], **kw))
            elif index % 3 == 1:
                built.append(make.dispatched(unit=handler.unit, **kw))
            else:
                built.append(make.filed(enterprise_user=filer, category=category))
        return built

    return build


@pytest.mark.parametrize("role", ["dispatcher", "handler", "enterprise_user", "specialist"])
@pytest.mark.parametrize(
    "url", ["/api/v1/issues/", "/api/v1/issues/?ordering=due_at&overdue=false&search=焊工"]
)
def test_the_issue_list_costs_the_same_queries_for_1_and_30_issues(role, url, request, many, client_for):
    client = client_for(request.getfixturevalue(role))
    many(1)
    with_one = _queries(client, url + ("&" if "?" in url else "?") + "page_size=100")
    many(29)
    with_thirty = _queries(client, url + ("&" if "?" in url else "?") + "page_size=100")

    assert with_one == with_thirty == 1


def test_the_unit_inbox_costs_two_queries_whatever_its_length(many, client_for, handler):
    client = client_for(handler)
    many(1)
    with_one = _queries(client, "/api/v1/issues/inbox/?page_size=100")
    many(29)
    with_thirty = _queries(client, "/api/v1/issues/inbox/?page_size=100")
    filtered = _queries(client, "/api/v1/issues/inbox/?page_size=100&urgency=normal")

    assert with_one == with_thirty == 2  # the page's keys from the unit's running clocks, then its rows
    assert filtered == 1  # a filtered inbox is one cursor query, like every other list


def test_the_detail_costs_three_queries_however_many_units_and_clocks_and_one_more_for_extensions(
    stage_issue, client_for, dispatcher, handler, unit, other_unit, co_unit
):
    simple = stage_issue()
    busy = stage_issue()
    actions.request_extension(issue=busy, actor=handler, working_days=2, reason="需协调")
    actions.decide_extension(issue=busy, actor=dispatcher, approve=False, note="时限充足")
    actions.transfer_issue(issue=busy, actor=dispatcher, lead_unit=other_unit, co_units=[co_unit, unit])

    assert _queries(client_for(dispatcher), f"/api/v1/issues/{simple.pk}/") == 3  # issue, units, clocks
    assert _queries(client_for(dispatcher), f"/api/v1/issues/{busy.pk}/") == 4  # and its extension requests


def test_the_history_costs_two_queries_however_long(stage_issue, client_for, dispatcher, handler):
    short = stage_issue()
    long = stage_issue()
    actions.record_first_contact(issue=long, actor=handler, note="已联系")
    actions.respond_to_issue(issue=long, actor=handler, outcome="solved", reply="已解决")

    assert _queries(client_for(dispatcher), f"/api/v1/issues/{short.pk}/events/") == 2
    assert _queries(client_for(dispatcher), f"/api/v1/issues/{long.pk}/events/") == 2


@pytest.fixture
def stage_issue(enterprise_user, dispatcher, handler, category, co_unit):
    def build():
        return make.handling(
            enterprise_user=enterprise_user,
            category=category,
            dispatcher=dispatcher,
            handler=handler,
            co_units=[co_unit],
        )

    return build


def test_the_list_with_a_token_adds_only_the_token_lookup(many, client_for, dispatcher):
    from rest_framework.test import APIClient

    from services.accounts.tokens import issue_token

    many(3)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {issue_token(dispatcher)[1]}")

    assert _queries(client, "/api/v1/issues/") == 2
