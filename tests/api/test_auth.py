"""Tokens for other systems and the mobile app; sessions with CSRF for our own pages; login is throttled."""

import pytest
import redis
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

URL = "/api/v1/auth/token/"
PASSWORD = "jiangjin-test"  # what the user factories set


def test_a_user_exchanges_username_and_password_for_a_token_that_opens_the_api(handler):
    client = APIClient()

    response = client.post(URL, {"username": handler.username, "password": PASSWORD}, format="json")

    assert response.status_code == 200
    assert response.json() == {"token": Token.objects.get(user=handler).key}
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert client.get("/api/v1/issues/").status_code == 200


def test_asking_again_returns_the_same_token(handler):
    first = APIClient().post(URL, {"username": handler.username, "password": PASSWORD}, format="json")
    second = APIClient().post(URL, {"username": handler.username, "password": PASSWORD}, format="json")

    assert first.json()["token"] == second.json()["token"]


def test_a_wrong_password_is_refused_in_chinese_in_the_one_shape(handler):
    response = APIClient().post(URL, {"username": handler.username, "password": "wrong"}, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid",
        "message": "无法使用提供的认证信息登录。",
        "fields": {"non_field_errors": ["无法使用提供的认证信息登录。"]},
    }
    assert not Token.objects.exists()


def test_a_wrong_password_is_refused_in_english_when_asked(handler):
    response = APIClient().post(
        URL, {"username": handler.username, "password": "wrong"}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 400
    assert response.json()["message"] == "Unable to log in with provided credentials."


def test_an_inactive_user_gets_no_token(handler):
    handler.is_active = False
    handler.save(update_fields=["is_active"])

    response = APIClient().post(URL, {"username": handler.username, "password": PASSWORD}, format="json")

    assert response.status_code == 400


def test_a_token_stops_working_when_its_user_is_deactivated(handler):
    token = Token.objects.create(user=handler)
    handler.is_active = False
    handler.save(update_fields=["is_active"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    assert client.get("/api/v1/issues/").status_code == 401


def test_missing_credentials_are_named_field_by_field():
    response = APIClient().post(URL, {}, format="json")

    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"username", "password"}


def test_ten_wrong_passwords_lock_the_username_even_against_the_right_one(handler):
    client = APIClient()
    answers = [
        client.post(URL, {"username": handler.username, "password": "wrong"}, format="json").status_code
        for _ in range(10)
    ]

    assert answers == [400] * 9 + [429]
    from_elsewhere = APIClient(REMOTE_ADDR="10.20.30.40")
    locked = from_elsewhere.post(URL, {"username": handler.username, "password": PASSWORD}, format="json")
    assert locked.status_code == 429
    assert locked.json()["code"] == "throttled"
    assert "分钟后再试" in locked.json()["message"]
    assert 0 < int(locked["Retry-After"]) <= 15 * 60
    assert not Token.objects.exists()


def test_the_token_endpoint_is_rate_limited_per_client_address_even_for_right_passwords(handler):
    client = APIClient()
    body = {"username": handler.username, "password": PASSWORD}

    answers = [client.post(URL, body, format="json").status_code for _ in range(11)]

    assert answers == [200] * 10 + [429]


def test_filing_is_throttled_but_reading_is_not(enterprise_user, category, monkeypatch):
    from rest_framework.throttling import ScopedRateThrottle

    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"filing": "2/hour", "login": "10/min"})
    client = APIClient()
    client.force_authenticate(enterprise_user)
    body = {"category": category.pk, "title": "用电增容", "description": "新产线需增容"}

    answers = [client.post("/api/v1/issues/", body, format="json").status_code for _ in range(3)]

    assert answers == [201, 201, 429]
    assert all(client.get("/api/v1/issues/").status_code == 200 for _ in range(5))


def test_refused_filings_do_not_count_towards_the_filing_limit(enterprise_user, category, monkeypatch):
    from rest_framework.throttling import ScopedRateThrottle

    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"filing": "2/hour", "login": "10/min"})
    client = APIClient()
    client.force_authenticate(enterprise_user)
    mistakes = [
        client.post(
            "/api/v1/issues/", {"category": category.pk, "title": "用电增容"}, format="json"
        ).status_code
        for _ in range(5)
    ]
    body = {"category": category.pk, "title": "用电增容", "description": "新产线需增容"}

    answers = [client.post("/api/v1/issues/", body, format="json").status_code for _ in range(3)]

    assert mistakes == [400] * 5
    assert answers == [201, 201, 429]


def test_the_filing_limit_says_when_the_next_filing_is_possible(enterprise_user, category, monkeypatch):
    from rest_framework.throttling import ScopedRateThrottle

    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"filing": "1/hour", "login": "10/min"})
    client = APIClient()
    client.force_authenticate(enterprise_user)
    body = {"category": category.pk, "title": "用电增容", "description": "新产线需增容"}
    client.post("/api/v1/issues/", body, format="json")

    refused = client.post("/api/v1/issues/", body, format="json")

    assert refused.status_code == 429
    assert refused.json()["code"] == "throttled"
    assert 3500 <= int(refused["Retry-After"]) <= 3600


def test_a_session_works_for_our_own_pages_and_needs_the_csrf_token(dispatcher, enterprise_user, category):
    from tests.factories import issues as make

    issue = make.filed(enterprise_user=enterprise_user, category=category)
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(dispatcher)

    assert client.get("/api/v1/issues/").status_code == 200
    refused = client.post(f"/api/v1/issues/{issue.pk}/accept/", {}, format="json")
    assert refused.status_code == 403
    assert set(refused.json()) == {"code", "message", "fields"}
    issue.refresh_from_db()
    assert issue.status == "submitted"


def test_the_login_throttle_is_counted_in_redis_where_every_web_process_sees_it(handler, settings):
    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    client = APIClient()
    for _ in range(3):
        client.post(URL, {"username": handler.username, "password": "wrong"}, format="json")

    # Another process reads the same Redis: it finds the counter the requests left.
    other_process = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
    assert any(b"throttle_login" in key for key in other_process.keys("*"))


@pytest.mark.parametrize(("proxies", "separate"), [(0, False), (1, True)])
def test_behind_a_proxy_each_client_address_has_its_own_lockout(proxies, separate, handler, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": proxies}
    first, second = APIClient(), APIClient()
    for attempt in range(10):
        wrong = {"username": f"guess-{attempt}", "password": "wrong"}
        first.post(URL, wrong, format="json", HTTP_X_FORWARDED_FOR="61.128.1.10")

    answer = second.post(
        URL,
        {"username": handler.username, "password": PASSWORD},
        format="json",
        HTTP_X_FORWARDED_FOR="222.178.5.20",
    )

    assert answer.status_code == (200 if separate else 429)
