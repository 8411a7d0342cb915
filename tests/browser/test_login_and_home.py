"""Everyone logs in through the login form, on a desktop and on a phone, and lands on their own home page."""

from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.support import assert_accessible, assert_no_horizontal_scroll, login, screenshot

# Where each role lands after logging in (today every role's work list is the home page).
HOME = {
    "enterprise": "web:home",
    "specialist": "web:home",
    "dispatcher": "web:home",
    "handler": "web:home",
    "unit_head": "web:home",
    "co_handler": "web:home",
    "leader": "web:home",
    "admin": "web:home",
}


@pytest.mark.parametrize("role", list(HOME))
def test_each_role_logs_in_through_the_form_and_lands_on_its_home_page(page, live_server, world, role):
    user = world.users()[role]

    login(page, live_server, user.username, world.password)

    assert urlsplit(page.url).path == reverse(HOME[role])
    expect(page.locator("header")).to_contain_text(user.name)
    screenshot(page, f"home-{role}")


def test_the_login_page_passes_axe_and_fits_the_screen(page, live_server):
    page.goto(f"{live_server.url}{reverse('login')}")

    expect(page.get_by_role("heading", level=1)).to_have_text("用户登录")
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    screenshot(page, "login")


def test_a_wrong_password_is_refused_beside_the_form_and_keeps_the_username(page, live_server, world):
    page.goto(f"{live_server.url}{reverse('login')}")
    page.get_by_label("用户名", exact=True).fill(world.enterprise_user.username)
    page.get_by_label("密码", exact=True).fill("not-the-password")

    page.get_by_role("button", name="登录", exact=True).click()

    expect(page.get_by_role("alert")).to_contain_text("密码")
    expect(page.get_by_label("用户名", exact=True)).to_have_value(world.enterprise_user.username)
    assert urlsplit(page.url).path == reverse("login")
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    screenshot(page, "login-refused")
