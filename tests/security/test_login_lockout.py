"""Logins resist guessing: the site's login page and the admin's lock a username and an address after ten
failures, say in Chinese how long to wait, forget the failures on success, and administrators clear them."""

import pytest
from axes.models import AccessAttempt
from django.test import Client

pytestmark = pytest.mark.django_db

PASSWORD = "jiangjin-test"  # what the user factories set
LIMIT = 10


def _fail(client: Client, url: str, username: str, times: int) -> list[int]:
    return [client.post(url, {"username": username, "password": "wrong"}).status_code for _ in range(times)]


@pytest.mark.parametrize("url", ["/login/", "/admin/login/"])
def test_the_tenth_wrong_password_locks_the_username_and_the_page_says_how_long_to_wait(url, administrator):
    client = Client()

    answers = _fail(client, url, administrator.username, LIMIT)

    assert answers == [200] * (LIMIT - 1) + [429]
    locked = Client(REMOTE_ADDR="10.1.2.3").post(
        url, {"username": administrator.username, "password": PASSWORD}
    )
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "登录失败次数过多" in page
    assert "15分钟后再试" in page
    assert 0 < int(locked["Retry-After"]) <= 15 * 60
    assert "_auth_user_id" not in locked.client.session


def test_the_lockout_page_is_the_login_form_again_with_the_username_kept(handler):
    client = Client()
    _fail(client, "/login/", handler.username, LIMIT)

    page = client.post("/login/", {"username": handler.username, "password": PASSWORD}).content.decode()

    assert 'role="alert"' in page
    assert f'value="{handler.username}"' in page


def test_the_lockout_speaks_english_when_asked(handler):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    _fail(client, "/login/", handler.username, LIMIT)

    page = client.post("/login/", {"username": handler.username, "password": PASSWORD}).content.decode()

    assert "Too many failed logins" in page


def test_one_address_guessing_many_usernames_is_locked_out_too(handler):
    client = Client(REMOTE_ADDR="61.128.1.10")
    for attempt in range(LIMIT):
        client.post("/login/", {"username": f"guess-{attempt}", "password": "wrong"})

    answer = client.post("/login/", {"username": handler.username, "password": PASSWORD})

    assert answer.status_code == 429
    other_address = Client(REMOTE_ADDR="222.178.5.20")
    assert (
        other_address.post("/login/", {"username": handler.username, "password": PASSWORD}).status_code == 302
    )


def test_a_successful_login_forgets_the_earlier_failures(handler):
    client = Client()
    _fail(client, "/login/", handler.username, LIMIT - 1)

    assert client.post("/login/", {"username": handler.username, "password": PASSWORD}).status_code == 302

    assert not AccessAttempt.objects.filter(username=handler.username).exists()
    client.logout()
    assert _fail(client, "/login/", handler.username, LIMIT - 1) == [200] * (LIMIT - 1)


def test_an_administrator_sees_the_lockout_in_the_admin_and_clearing_it_lets_the_user_in(
    handler, administrator
):
    _fail(Client(), "/login/", handler.username, LIMIT)
    admin = Client()
    admin.force_login(administrator)

    listing = admin.get("/admin/axes/accessattempt/")

    assert listing.status_code == 200
    assert handler.username in listing.content.decode()
    attempt = AccessAttempt.objects.get(username=handler.username)
    cleared = admin.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    assert cleared.status_code == 302
    assert Client().post("/login/", {"username": handler.username, "password": PASSWORD}).status_code == 302


def test_a_login_without_a_request_such_as_the_shell_is_neither_counted_nor_refused(handler):
    from django.contrib.auth import authenticate

    assert authenticate(username=handler.username, password="wrong") is None
    assert authenticate(username=handler.username, password=PASSWORD) == handler
    assert not AccessAttempt.objects.exists()
