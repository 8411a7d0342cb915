"""GET /api/v1/me/: every signed-in person learns who they are; nobody else learns anything."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from services.accounts.models import Role
from services.accounts.tokens import issue_token
from tests.api.roles import ROLES, SIGNED_IN, fill_inbox
from tests.factories import AdminFactory

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.api.people"]

URL = "/api/v1/me/"

ROLE_OF = {
    "enterprise_user": Role.ENTERPRISE,
    "specialist": Role.SPECIALIST,
    "handler": Role.HANDLER,
    "unit_head": Role.UNIT_HEAD,
    "dispatcher": Role.DISPATCHER,
    "leader": Role.LEADER,
    "administrator": Role.ADMIN,
}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_may_ask_who_it_is_and_only_the_anonymous_caller_is_told_to_sign_in(role, caller):
    response = caller(role).get(URL)

    assert response.status_code == (401 if role == "anonymous" else 200)


@pytest.mark.parametrize("role", SIGNED_IN)
def test_the_answer_is_the_caller_with_its_role_and_chinese_role_label(role, caller, people):
    me = caller(role).get(URL).json()

    person = people[role]
    assert me["id"] == person.pk
    assert me["username"] == person.username
    assert me["display_name"] == person.display_name
    assert me["role"] == ROLE_OF[role]
    assert me["role_label"] == str(Role(ROLE_OF[role]).label)
    assert me["is_administrator"] is (role == "administrator")


def test_an_enterprise_user_is_told_its_enterprise_and_no_unit(caller, enterprise):
    me = caller("enterprise_user").get(URL).json()

    assert me["enterprise"] == {"id": enterprise.pk, "name": "重庆江记酒庄有限公司", "uscc": enterprise.uscc}
    assert me["unit"] is None
    assert me["role_label"] == "企业用户"


def test_a_handler_is_told_its_unit_and_no_enterprise(caller, unit):
    me = caller("handler").get(URL).json()

    assert me["unit"] == {
        "id": unit.pk,
        "name": "重庆市江津区人力资源和社会保障局",
        "short_name": "区人力社保局",
        "kind": "department",
    }
    assert me["enterprise"] is None
    assert me["role_label"] == "部门经办人"


def test_an_administrator_without_superuser_status_is_still_an_administrator(client_for):
    operator = AdminFactory(is_superuser=False, is_staff=True, display_name="徐运维")

    me = client_for(operator).get(URL).json()

    assert me["role"] == "admin"
    assert me["is_administrator"] is True


def test_the_unread_count_counts_only_the_callers_unread_messages(caller, people):
    fill_inbox(people["handler"], unread=3, read=2)
    fill_inbox(people["unit_head"], unread=4)

    me = caller("handler").get(URL).json()

    assert me["unread_notifications"] == 3


def test_the_role_label_follows_accept_language(caller):
    me = caller("handler").get(URL, HTTP_ACCEPT_LANGUAGE="en").json()

    assert me["role"] == "handler"
    assert me["role_label"] == "Unit case handler"


def test_an_anonymous_caller_gets_the_one_error_shape_in_its_language(client_for):
    chinese = client_for().get(URL)
    english = client_for().get(URL, HTTP_ACCEPT_LANGUAGE="en")

    assert chinese.status_code == english.status_code == 401
    assert set(chinese.json()) == {"code", "message", "fields"}
    assert chinese.json()["code"] == "not_authenticated"
    assert chinese.json()["message"] == "身份认证信息未提供。"
    assert english.json()["message"] == "Authentication credentials were not provided."


def test_a_token_client_is_answered_like_a_session_client(handler):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {issue_token(handler)[1]}")

    response = client.get(URL)

    assert response.status_code == 200
    assert response.json()["id"] == handler.pk


def test_an_inactive_account_is_not_let_in_even_with_a_valid_token(handler):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {issue_token(handler)[1]}")
    handler.is_active = False
    handler.save(update_fields=["is_active"])

    response = client.get(URL)

    assert response.status_code == 401
    assert set(response.json()) == {"code", "message", "fields"}


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_me_cannot_be_written_through_this_endpoint(method, caller, people):
    response = getattr(caller("handler"), method)(URL, {"role": "admin"}, format="json")

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    people["handler"].refresh_from_db()
    assert people["handler"].role == Role.HANDLER


def test_the_query_count_does_not_grow_with_the_inbox(caller, people, django_assert_max_num_queries):
    fill_inbox(people["handler"], unread=2)
    with CaptureQueriesContext(connection) as few:
        caller("handler").get(URL)
    fill_inbox(people["handler"], unread=40, read=40)

    with django_assert_max_num_queries(1):
        response = caller("handler").get(URL)

    assert response.json()["unread_notifications"] == 2 + 40
    assert len(few) == 1
