"""Every list pages one way: send a page's ``next_cursor`` back as ``cursor``. The links stay for callers that
follow them; the reference lists keep ``count`` and still take ``page`` (README: API changelog, 1.1.0)."""

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.factories import UnitFactory
from tests.factories import issues as make

pytestmark = pytest.mark.django_db

UNITS = "/api/v1/units/"
ISSUES = "/api/v1/issues/"
INBOX = "/api/v1/issues/inbox/"


@pytest.fixture
def five_units(db):
    return [UnitFactory(name=f"江津区第{n}办事处", short_name=f"第{n}办事处") for n in range(5)]


def cursor_in(link: str) -> str:
    return parse_qs(urlsplit(link).query)["cursor"][0]


def ids(body):
    return [row["id"] for row in body["results"]]


def test_a_reference_list_pages_by_the_cursor_beside_its_next_link(client_for, dispatcher, five_units):
    client = client_for(dispatcher)

    first = client.get(UNITS, {"page_size": 2}).json()
    second = client.get(UNITS, {"page_size": 2, "cursor": first["next_cursor"]}).json()

    assert first["next_cursor"] == "2" and first["previous_cursor"] is None
    assert "cursor=2" in first["next"] and "page=" not in first["next"]
    assert second["previous_cursor"] == "1" and second["next_cursor"] == "3"
    assert not set(ids(first)) & set(ids(second))
    assert first["count"] == second["count"] == 5


def test_a_reference_list_still_takes_a_page_number(client_for, dispatcher, five_units):
    client = client_for(dispatcher)

    by_page = client.get(UNITS, {"page_size": 2, "page": 2}).json()
    by_cursor = client.get(UNITS, {"page_size": 2, "cursor": "2"}).json()

    assert ids(by_page) == ids(by_cursor)


@pytest.mark.parametrize("cursor", ["0", "99", "第二页", "-1", "1.5"])
def test_a_cursor_that_names_no_page_is_a_400_in_the_one_shape(client_for, dispatcher, five_units, cursor):
    response = client_for(dispatcher).get(UNITS, {"page_size": 2, "cursor": cursor})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert list(response.json()["fields"]) == ["cursor"]


def test_the_issue_list_gives_its_cursor_beside_next(client_for, dispatcher, enterprise_user, category):
    for _ in range(3):
        make.filed(enterprise_user=enterprise_user, category=category)
    client = client_for(dispatcher)

    first = client.get(ISSUES, {"page_size": 2}).json()
    second = client.get(ISSUES, {"page_size": 2, "cursor": first["next_cursor"]}).json()

    assert list(first) == ["next", "previous", "next_cursor", "previous_cursor", "results"]
    assert first["next_cursor"] and first["next_cursor"] == cursor_in(first["next"])
    assert len(ids(first)) == 2 and len(ids(second)) == 1
    assert second["next_cursor"] is None and second["previous_cursor"]


def test_the_inbox_gives_its_cursor_beside_next(client_for, handler, dispatcher, enterprise_user, category):
    for _ in range(3):
        make.dispatched(
            dispatcher=dispatcher, unit=handler.unit, enterprise_user=enterprise_user, category=category
        )
    client = client_for(handler)

    first = client.get(INBOX, {"page_size": 2}).json()
    second = client.get(INBOX, {"page_size": 2, "cursor": first["next_cursor"]}).json()

    assert first["next_cursor"] == cursor_in(first["next"])
    assert len(ids(first)) == 2 and len(ids(second)) == 1
    assert second["next_cursor"] is None


def test_the_inbox_ignores_an_ordering_as_it_always_has(
    client_for, handler, dispatcher, enterprise_user, category
):
    for _ in range(2):
        make.dispatched(
            dispatcher=dispatcher, unit=handler.unit, enterprise_user=enterprise_user, category=category
        )
    client = client_for(handler)

    assert ids(client.get(INBOX, {"ordering": "-created_at"}).json()) == ids(client.get(INBOX).json())
