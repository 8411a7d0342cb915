"""The pages speak the visitor's language: LocaleMiddleware picks English from Accept-Language."""

import re

import pytest
from django.urls import reverse

from tests.factories import issues as make
from tests.i18n.test_catalogue import HAN

pytestmark = pytest.mark.django_db


def test_the_login_page_speaks_english_to_an_english_browser(client):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="en">' in page
    for text in (
        "Jiangjin “Enterprises Whistle, Departments Report In” Platform",
        "Username",
        "Password",
        "Log in",
    ):
        assert text in page
    for text in ("用户名", "密码", "用户登录"):
        assert text not in page


def test_the_english_login_page_has_no_chinese_but_the_language_button(client):
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    # The switch names each language in that language: "中文" stays Chinese on the English page.
    chinese = set(re.findall(rf"(?:{HAN.pattern})+", page))

    assert chinese == {"中文"}


def test_the_login_page_stays_chinese_for_a_chinese_browser(client):
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()

    assert '<html lang="zh-hans">' in page
    assert "用户名" in page
    assert "Username" not in page


def test_a_wrong_password_is_refused_in_english(client, dispatcher):
    response = client.post(
        reverse("login"), {"username": dispatcher.username, "password": "wrong"}, HTTP_ACCEPT_LANGUAGE="en"
    )

    page = response.content.decode()
    assert "Please enter a correct username and password." in page
    assert "_auth_user_id" not in client.session


def test_an_issue_page_in_english_shows_chinese_only_in_what_people_typed(
    client, dispatcher, enterprise_user, category, unit
):
    issue = make.dispatched(
        dispatcher=dispatcher, unit=unit, enterprise_user=enterprise_user, category=category
    )
    client.force_login(dispatcher)

    page = client.get(
        reverse("web:issue-detail", args=[issue.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()

    typed = [
        issue.title,
        issue.description,
        issue.enterprise.name,
        str(issue.category),
        unit.name,
        unit.short_name,
    ]
    typed += [issue.contact_name, dispatcher.name, enterprise_user.name, "中文"]
    allowed = {run for text in typed for run in re.findall(rf"(?:{HAN.pattern})+", text)}
    chinese = set(re.findall(rf"(?:{HAN.pattern})+", page))
    assert chinese <= allowed, chinese - allowed
    for text in (
        "Basic information",
        "Awaiting acknowledgment",
        "Handling history",
        "Dispatch",
        "Stage deadlines",
    ):
        assert text in page
