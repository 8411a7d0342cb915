"""A request survives the faults the soak injects (bench/soak.py): Redis restarted, database connections ended.

Found by the soak: while Redis restarted, every page (the header's cached unread count) and every throttled API
call answered 500; after ``pg_terminate_backend``, the next request of each web worker answered 500 on its kept
connection, and a request whose connection was ended under it answered Django's bare 500 page.
"""

import psycopg
import pytest
from django.core.cache import cache
from django.db import close_old_connections, connection
from django.test import Client
from rest_framework.test import APIClient

from services.accounts.models import User
from services.accounts.tokens import issue_token
from services.web.views.errors import server_error

# Nothing listens on port 1: connecting is refused at once, as while Redis restarts.
UNREACHABLE_REDIS = {
    "default": {
        "BACKEND": "services.core.cache.ResilientRedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "KEY_PREFIX": "jiangjin",
    }
}


@pytest.fixture
def redis_away(settings):
    settings.CACHES = UNREACHABLE_REDIS


def test_while_redis_is_unreachable_the_cache_reads_as_empty_and_keeps_nothing(redis_away):
    cache.set("answer", 42)

    assert cache.get("answer") is None
    assert cache.get("answer", "default") == "default"
    assert cache.get_or_set("answer", 7) == 7
    assert cache.add("answer", 1) is False
    assert cache.delete("answer") is False
    assert cache.get_many(["answer"]) == {}
    with pytest.raises(ValueError):
        cache.incr("answer")


def test_while_redis_is_unreachable_an_officials_page_still_answers(redis_away, client, dispatcher):
    client.force_login(dispatcher)

    response = client.get("/")

    assert response.status_code == 200


def test_while_redis_is_unreachable_the_throttled_token_endpoint_still_answers(redis_away, handler):
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": handler.username, "password": "jiangjin-test"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["token"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_kept_connection_the_server_ended_while_idle_is_replaced_before_the_next_request():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    connection.close_at = None  # kept for the worker's life, whatever CONN_MAX_AGE the run uses
    params = connection.get_connection_params()
    with psycopg.connect(
        **{k: v for k, v in params.items() if k in ("dbname", "user", "host", "port", "password")},
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])

    close_old_connections()  # what Django does when the next request starts
    assert User.objects.count() == 0


def _end_this_connection() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    params = connection.get_connection_params()
    with psycopg.connect(
        **{k: v for k, v in params.items() if k in ("dbname", "user", "host", "port", "password")},
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_api_request_whose_connection_is_ended_under_it_answers_503_in_the_error_shape(dispatcher):
    _row, token = issue_token(dispatcher)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    _end_this_connection()
    connection.health_check_done = (
        True  # ended after the request's check: the next query meets a dead connection
    )

    response = client.get("/api/v1/issues/")
    close_old_connections()  # as when a real request ends: the dead connection is dropped

    assert response.status_code == 503
    assert response["Retry-After"] == "1"
    assert response.json()["code"] == "unavailable"
    assert set(response.json()) == {"code", "message", "fields"}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_page_whose_connection_is_ended_under_it_answers_503_saying_the_step_may_not_be_done(dispatcher):
    client = Client(raise_request_exception=False)
    client.force_login(dispatcher)
    _end_this_connection()
    connection.health_check_done = True  # ended after the request's check: the session read meets it

    response = client.get("/")
    close_old_connections()

    assert response.status_code == 503
    assert response["Retry-After"] == "1"
    assert "数据库暂时不可用，操作可能未完成，请查看后重试。" in response.content.decode()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_api_call_whose_token_cannot_be_read_answers_503_in_the_error_shape(dispatcher):
    client = Client(raise_request_exception=False)
    client.force_login(dispatcher)  # a session: the failure comes in the middleware, before DRF's own handler
    _end_this_connection()
    connection.health_check_done = True

    response = client.get("/api/v1/issues/")
    close_old_connections()

    assert response.status_code == 503
    assert response.json()["code"] == "unavailable"
    assert set(response.json()) == {"code", "message", "fields"}


def test_any_other_server_error_is_still_a_plain_500(rf):
    try:
        raise RuntimeError("一个程序错误")
    except RuntimeError:
        response = server_error(rf.get("/"))

    assert response.status_code == 500
