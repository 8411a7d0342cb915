"""Tokens for other systems and the mobile app; sessions with CSRF for our own pages; login is throttled."""

import pytest
import redis
from knox.models import AuthToken
from rest_framework.test import APIClient

from services.accounts.tokens import issue_token

pytestmark = pytest.mark.django_db

URL = "/api/v1/auth/token/"
PASSWORD = "jiangjin-test"  # what the user factories set


def test_a_user_exchanges_username_and_password_for_a_token_that_opens_the_api(handler):
    client = APIClient()

    response = client.post(URL, {"username": handler.username, "password": PASSWORD}, format="json")

    assert response.status_code == 200
    assert set(response.json()) == {"token", "expires_at"}
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert client.get("/api/v1/issues/").status_code == 200


def test_bearer_is_read_like_token(handler):
    _row, token = issue_token(handler)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")

    assert client.get("/api/v1/me/").status_code == 200


def test_each_login_gets_its_own_token_and_both_work(handler):
    first = APIClient().post(URL, {"username": handler.username, "password": PASSWORD}, format="json")
    second = APIClient().post(URL, {"username": handler.username, "password": PASSWORD}, format="json")

    assert first.json()["token"] != second.json()["token"]
    for answer in (first, second):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {answer.json()['token']}")
        assert client.get("/api/v1/me/").status_code == 200


def test_the_token_is_stored_only_as_a_digest(handler):
    token = (
        APIClient()
        .post(URL, {"username": handler.username, "password": PASSWORD}, format="json")
        .json()["token"]
    )

    row = AuthToken.objects.get(user=handler)
    stored = " ".join(str(value) for value in AuthToken.objects.filter(pk=row.pk).values().get().values())
    assert token not in stored
    assert len(row.digest) == 128


def test_a_token_expires_after_the_configured_days(handler, settings):
    from datetime import timedelta

    from freezegun import freeze_time

    answer = APIClient().post(URL, {"username": handler.username, "password": PASSWORD}, format="json").json()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {answer['token']}")
    row = AuthToken.objects.get(user=handler)

    assert abs(row.expiry - row.created - timedelta(days=30)) < timedelta(seconds=5)
    with freeze_time(row.expiry + timedelta(seconds=1)):
        assert client.get("/api/v1/me/").status_code == 401
    assert not AuthToken.objects.filter(pk=row.pk).exists()


def test_the_owner_revokes_the_token_in_use_and_only_that_one(handler):
    _row, current = issue_token(handler)
    _other_row, other = issue_token(handler)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {current}")

    assert client.delete(URL).status_code == 204

    assert client.get("/api/v1/me/").status_code == 401
    still = APIClient()
    still.credentials(HTTP_AUTHORIZATION=f"Token {other}")
    assert still.get("/api/v1/me/").status_code == 200


def test_the_owner_revokes_all_tokens_at_once(handler):
    tokens = [issue_token(handler)[1] for _ in range(3)]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {tokens[0]}")

    response = client.delete("/api/v1/auth/tokens/")

    assert response.status_code == 200
    assert response.json() == {"revoked": 3}
    assert not AuthToken.objects.filter(user=handler).exists()


def test_revoking_without_a_token_says_there_is_none_to_revoke(handler):
    client = APIClient()
    client.force_login(handler)

    response = client.delete(URL)

    assert response.status_code == 400
    assert response.json()["message"] == "本次请求没有使用令牌，没有可撤销的令牌。"


def test_a_password_change_revokes_every_token(handler, unit_head):
    issue_token(handler)
    issue_token(handler)
    issue_token(unit_head)

    handler.set_password("新的密码-2026")
    handler.save()

    assert not AuthToken.objects.filter(user=handler).exists()
    assert AuthToken.objects.filter(user=unit_head).count() == 1


def test_a_password_changed_in_the_admin_revokes_every_token(handler, administrator):
    issue_token(handler)
    admin = APIClient()
    admin.force_login(administrator)

    response = admin.post(
        f"/admin/accounts/user/{handler.pk}/password/",
        {"password1": "Jiangjin-新密码-2026", "password2": "Jiangjin-新密码-2026"},
        format="multipart",  # the admin's page takes a form, as a browser sends it
    )

    assert response.status_code == 302
    assert not AuthToken.objects.filter(user=handler).exists()


def test_saving_other_fields_keeps_the_tokens(handler):
    issue_token(handler)
    handler.display_name = "张经办"
    handler.save(update_fields=["display_name"])

    assert AuthToken.objects.filter(user=handler).count() == 1


def test_web_sessions_last_a_configurable_time():
    from django.conf import settings

    assert settings.SESSION_COOKIE_AGE == 12 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is False


def test_a_wrong_password_is_refused_in_chinese_in_the_one_shape(handler):
    response = APIClient().post(URL, {"username": handler.username, "password": "wrong"}, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid",
        "message": "无法使用提供的认证信息登录。",
        "fields": {"non_field_errors": ["无法使用提供的认证信息登录。"]},
    }
    assert not AuthToken.objects.exists()


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


def test_a_token_stops_working_when_its_user_is_deactivated_and_is_revoked(handler):
    _row, token = issue_token(handler)
    handler.is_active = False
    handler.save(update_fields=["is_active"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    assert client.get("/api/v1/issues/").status_code == 401
    assert not AuthToken.objects.filter(user=handler).exists()


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
    assert not AuthToken.objects.exists()


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
    assert settings.CACHES["default"]["BACKEND"] == "services.core.cache.ResilientRedisCache"
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
