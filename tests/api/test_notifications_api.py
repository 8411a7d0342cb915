"""/api/v1/notifications/: each person reads and clears only their own inbox."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from services.notifications.models import Notification
from tests.api.roles import ROLES, SIGNED_IN, fill_inbox

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.api.people"]

LIST = "/api/v1/notifications/"
READ_ALL = "/api/v1/notifications/read-all/"


def read_url(notification) -> str:
    return f"{LIST}{notification.pk}/read/"


def inbox_state() -> list[dict]:
    return list(Notification.objects.order_by("pk").values("pk", "recipient_id", "read_at"))


@pytest.fixture
def mailboxes(people):
    """Two unread and one read message for every signed-in role."""
    return {role: fill_inbox(person, unread=2, read=1) for role, person in people.items() if person}


# ---------------------------------------------------------------- the permission matrix


@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_only_its_own_messages_and_its_own_unread_count(role, caller, people, mailboxes):
    response = caller(role).get(LIST)

    if role == "anonymous":
        assert response.status_code == 401
        return
    assert response.status_code == 200
    body = response.json()
    assert {row["id"] for row in body["results"]} == {n.pk for n in mailboxes[role]}
    assert body["unread_count"] == 2


@pytest.mark.parametrize("role", ROLES)
def test_each_role_may_mark_its_own_message_read(role, caller, people, mailboxes):
    own = mailboxes.get(role, mailboxes["handler"])[0]

    response = caller(role).post(read_url(own))

    if role == "anonymous":
        assert response.status_code == 401
        own.refresh_from_db()
        assert own.read_at is None
        return
    assert response.status_code == 200
    assert response.json()["is_read"] is True
    own.refresh_from_db()
    assert own.read_at is not None


@pytest.mark.parametrize("role", SIGNED_IN)
def test_someone_elses_message_is_not_found_and_stays_unread(role, caller, mailboxes):
    owner = "unit_head" if role == "handler" else "handler"
    theirs = mailboxes[owner][0]
    before = inbox_state()

    hidden = caller(role).post(read_url(theirs))
    missing = caller(role).post(f"{LIST}987654321/read/")

    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    assert inbox_state() == before


@pytest.mark.parametrize("role", ROLES)
def test_read_all_clears_only_the_callers_inbox(role, caller, people, mailboxes):
    before = {n["pk"]: n["read_at"] for n in inbox_state()}

    response = caller(role).post(READ_ALL)

    if role == "anonymous":
        assert response.status_code == 401
        assert {n["pk"]: n["read_at"] for n in inbox_state()} == before
        return
    assert response.status_code == 200
    assert response.json() == {"marked": 2, "unread_count": 0}
    mine = {n.pk for n in mailboxes[role]}
    for row in inbox_state():
        if row["pk"] in mine:
            assert row["read_at"] is not None
        else:
            assert row["read_at"] == before[row["pk"]]


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_a_message_cannot_be_rewritten_or_deleted(method, caller, mailboxes):
    own = mailboxes["handler"][0]

    response = getattr(caller("handler"), method)(f"{LIST}{own.pk}/read/", {"title": "改"}, format="json")

    assert response.status_code == 405
    assert Notification.objects.filter(pk=own.pk, title=own.title).exists()


def test_the_inbox_cannot_be_written_to_by_its_owner(caller, mailboxes):
    before = inbox_state()

    response = caller("handler").post(LIST, {"title": "自己给自己发消息📨"}, format="json")

    assert response.status_code == 405
    assert inbox_state() == before


# ---------------------------------------------------------------- behaviour


def test_messages_come_newest_first_with_their_content(caller, people):
    older, newer = fill_inbox(people["handler"], unread=2)

    rows = caller("handler").get(LIST).json()["results"]

    assert [row["id"] for row in rows] == [newer.pk, older.pk]
    assert rows[0]["title"] == newer.title
    assert rows[0]["body"] == "请在1个工作日内签收。"
    assert rows[0]["is_read"] is False
    assert rows[0]["read_at"] is None


def test_unread_true_shows_only_unread_messages(caller, people):
    unread = fill_inbox(people["handler"], unread=2, read=3)[:2]

    rows = caller("handler").get(LIST, {"unread": "true"}).json()["results"]

    assert {row["id"] for row in rows} == {n.pk for n in unread}


@pytest.mark.parametrize("value", ["也许", "yes please", "2"])
def test_an_unread_filter_that_is_not_true_or_false_is_a_400(value, caller, mailboxes):
    response = caller("handler").get(LIST, {"unread": value})

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["unread"]


def test_marking_a_message_read_twice_keeps_the_first_time(caller, people):
    (message,) = fill_inbox(people["handler"], unread=1)
    client = caller("handler")

    first = client.post(read_url(message)).json()["read_at"]
    second = client.post(read_url(message)).json()["read_at"]

    assert first == second


def test_marking_one_read_lowers_the_unread_count_by_one(caller, people):
    messages = fill_inbox(people["handler"], unread=3)
    client = caller("handler")

    client.post(read_url(messages[0]))

    assert client.get(LIST).json()["unread_count"] == 2


def test_read_all_on_an_empty_inbox_marks_nothing(caller):
    assert caller("leader").post(READ_ALL).json() == {"marked": 0, "unread_count": 0}


def test_the_inbox_pages_by_cursor(caller, people):
    fill_inbox(people["handler"], unread=5)
    client = caller("handler")

    first = client.get(LIST, {"page_size": 3}).json()
    second = client.get(first["next"]).json()

    assert len(first["results"]) == 3
    assert len(second["results"]) == 2
    assert second["unread_count"] == 5


def test_a_forged_cursor_is_a_400(caller, mailboxes):
    response = caller("handler").get(LIST, {"cursor": "伪造的游标"})

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["cursor"]


def test_an_id_beyond_the_id_column_is_not_found(caller, mailboxes):
    assert caller("handler").post(f"{LIST}{2**70}/read/").status_code == 404


# ---------------------------------------------------------------- query counts


def test_the_inbox_costs_the_same_queries_for_three_messages_or_sixty(
    caller, people, django_assert_max_num_queries
):
    fill_inbox(people["handler"], unread=2, read=1)
    with CaptureQueriesContext(connection) as few:
        caller("handler").get(LIST)
    fill_inbox(people["handler"], unread=30, read=27)

    with django_assert_max_num_queries(2):
        response = caller("handler").get(LIST, {"page_size": 100})

    assert len(response.json()["results"]) == 60
    assert len(few) == 2


def test_marking_read_costs_a_fixed_number_of_queries(caller, people, django_assert_max_num_queries):
    (message,) = fill_inbox(people["handler"], unread=1)
    fill_inbox(people["handler"], unread=40)

    with django_assert_max_num_queries(2):
        caller("handler").post(read_url(message))
    with django_assert_max_num_queries(2):
        caller("handler").post(READ_ALL)
