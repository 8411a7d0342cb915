"""The browser tests' own safeguards catch what they are there to catch."""

import pytest
from django.urls import reverse

from tests.browser.support import Keyboard, PageGuard, assert_accessible, assert_no_horizontal_scroll


def test_a_request_to_another_origin_is_refused_and_reported(new_context, live_server):
    context = new_context(bypass_csp=True)  # the guard behind the Content-Security-Policy, on its own
    guard = PageGuard(origin=live_server.url)
    guard.watch(context)
    page = context.new_page()
    page.goto(f"{live_server.url}{reverse('login')}")

    outcome = page.evaluate(
        "() => fetch('http://203.0.113.7/tracker.js').then(() => 'loaded', () => 'refused')"
    )

    assert outcome == "refused"
    assert guard.off_origin == ["GET http://203.0.113.7/tracker.js (fetch)"]
    assert "203.0.113.7" in guard.problems()[0]
    assert any(url.endswith(reverse("login")) for url in guard.requests)


def test_axe_fails_a_page_whose_field_has_no_label(desktop):
    desktop.set_content(
        '<!DOCTYPE html><html lang="zh-Hans"><head><title>填报</title></head>'
        '<body><main><h1>填报诉求</h1><input type="text" name="title"></main></body></html>'
    )

    with pytest.raises(pytest.fail.Exception, match=r"\[critical\] label"):
        assert_accessible(desktop)


def test_a_page_wider_than_a_phone_is_caught(phone):
    phone.set_content(
        '<!DOCTYPE html><html lang="zh-Hans"><head><meta name="viewport" content="width=device-width">'
        '<title>列表</title></head><body><table class="wide"><tr><td>诉求标题</td></tr></table></body></html>'
    )
    phone.add_style_tag(content="table.wide { width: 900px; }")

    with pytest.raises(pytest.fail.Exception, match=r"scrolls sideways at 390px.*table\.wide"):
        assert_no_horizontal_scroll(phone)


def test_a_server_error_is_reported(new_context, live_server):
    context = new_context()
    guard = PageGuard(origin=live_server.url)
    guard.watch(context)
    context.route("**/broken/", lambda route: route.fulfill(status=500, body="Server Error (500)"))
    page = context.new_page()

    page.goto(f"{live_server.url}/broken/")

    assert guard.server_errors == [f"GET {live_server.url}/broken/ → HTTP 500"]
    assert "The server failed" in guard.problems()[0]


def test_focus_on_a_date_inputs_picker_button_without_an_outline_is_caught(desktop):
    desktop.set_content(
        '<!DOCTYPE html><html lang="zh-Hans"><head><title>走访</title></head><body><main>'
        '<label for="when">走访时间</label><input type="datetime-local" id="when" value="2025-04-08T10:30">'
        '<label for="who">接待人员</label><input id="who"></main></body></html>'
    )
    # Outlines for the input's own fields, as site.css had them: the picker button inside it shows nothing.
    desktop.add_style_tag(content="input:focus, :focus-visible { outline: 3px solid #c8161d; }")

    with pytest.raises(pytest.fail.Exception, match=r"input#when .*picker button.* is not visible"):
        Keyboard(desktop).tab_to(desktop.get_by_label("接待人员"))
