"""The main navigation is rendered once per role, page and language in each process: what each person sees
must still be their own role's links, in their language, with their current page marked."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _nav(client, url: str = "/", **headers) -> str:
    page = client.get(url, **headers).content.decode()
    return re.search(r'<nav class="site-nav".*?</nav>', page, re.S).group(0)


def test_each_role_sees_its_own_links_whoever_opened_a_page_before(client, enterprise_user, handler, leader):
    client.force_login(enterprise_user)
    filer = _nav(client)
    client.force_login(handler)
    unit = _nav(client)
    client.force_login(leader)
    lead = _nav(client)

    assert "提交诉求" in filer and "本单位待办" not in filer and "统计报表" not in filer
    assert "本单位待办" in unit and "提交诉求" not in unit and "统计报表" not in unit
    assert "统计报表" in lead and "提交诉求" not in lead


def test_the_navigation_follows_the_language_after_the_other_one_was_shown(client, handler):
    client.force_login(handler)
    chinese = _nav(client)
    english = _nav(client, HTTP_ACCEPT_LANGUAGE="en")

    assert "消息中心" in chinese
    assert "消息中心" not in english and "Messages" in english


def test_the_current_page_is_marked_and_only_that_one(client, handler):
    client.force_login(handler)

    nav = _nav(client, reverse("web:notifications"))

    assert nav.count('aria-current="page"') == 1
    assert f'href="{reverse("web:notifications")}" aria-current="page"' in nav
