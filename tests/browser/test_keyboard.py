"""The problem's main flow with the keyboard alone: no click, no mouse. An official who works from the keyboard
all day, or a person who cannot hold a mouse, files, dispatches, signs, answers and rates with Tab, Shift+Tab,
Enter, Space, the arrow keys and Escape. Every element focus stops on must show it has focus (support.Keyboard).
"""

import re

from django.urls import reverse
from playwright.sync_api import expect

from services.issues.lifecycle import Status
from services.issues.models import Issue
from tests.browser.support import Keyboard, assert_accessible, login_with_keyboard

TITLE = "急需焊工30名，二期扩产在即"


def test_the_skip_link_is_the_first_stop_and_moves_focus_to_the_main_content(desktop, live_server, world):
    login_with_keyboard(desktop, live_server, world.enterprise_user.username, world.password)
    keys = Keyboard(desktop)

    keys.press("Tab")

    skip = desktop.get_by_role("link", name="跳到主要内容")
    assert keys.focused(skip)
    expect(skip).to_be_in_viewport()
    keys.press("Enter")
    assert keys.focused(desktop.locator("main#content"))
    keys.press("Tab")  # the next stop is inside the page's content, past the header and the navigation
    assert desktop.evaluate("() => document.querySelector('main').contains(document.activeElement)")


def test_a_refused_filing_puts_focus_on_its_errors_and_each_wrong_field_names_its_error(
    desktop, live_server, world
):
    login_with_keyboard(desktop, live_server, world.enterprise_user.username, world.password)
    desktop.goto(f"{live_server.url}{reverse('web:issue-file')}")
    keys = Keyboard(desktop)

    keys.type_into(desktop.get_by_label("标题"), TITLE)
    keys.follow(desktop.get_by_role("button", name="提交诉求", exact=True))

    summary = desktop.get_by_role("alert")
    assert keys.focused(summary)
    invalid = desktop.locator("[aria-invalid=true]")
    expect(invalid.first).to_be_visible()
    for field in invalid.all():
        described = (field.get_attribute("aria-describedby") or "").split()
        errors = [desktop.locator(f"#{ident}") for ident in described if ident.endswith("-error")]
        assert errors, f"{field} does not name its error"
        for error in errors:
            expect(error).to_be_visible()
            expect(error).not_to_be_empty()
    expect(desktop.get_by_label("标题")).to_have_value(TITLE)  # what was typed is kept


def test_escape_folds_an_open_move_form_and_returns_focus_to_its_button(desktop, live_server, world):
    from tests.factories.issues import filed

    issue = filed(enterprise_user=world.enterprise_user, category=world.categories["用工"])
    login_with_keyboard(desktop, live_server, world.dispatcher.username, world.password)
    desktop.goto(f"{live_server.url}{reverse('web:issue-detail', args=[issue.pk])}")
    keys = Keyboard(desktop)
    move = desktop.locator("#move-reject")

    keys.activate(move.locator("summary"), "Space")
    expect(move).to_have_attribute("open", "")
    keys.tab_to(move.get_by_label("不予受理理由"))
    keys.press("Escape")

    expect(move).not_to_have_attribute("open", "")
    assert keys.focused(move.locator("summary"))


def test_the_main_flow_filed_dispatched_signed_answered_and_rated_with_the_keyboard_alone(
    open_page, live_server, world
):
    enterprise, dispatcher, handler = open_page(), open_page(), open_page()
    for page, user in (
        (enterprise, world.enterprise_user),
        (dispatcher, world.dispatcher),
        (handler, world.handler),
    ):
        login_with_keyboard(page, live_server, user.username, world.password)

    # The enterprise goes from its list to the filing page by the link, and files.
    keys = Keyboard(enterprise)
    keys.follow(enterprise.get_by_role("link", name="提交新诉求"))
    keys.select(enterprise.get_by_label("问题分类"), "用工 · 招工难")
    keys.choose(enterprise.locator("fieldset", has_text="紧急程度"), "紧急")
    keys.type_into(enterprise.get_by_label("标题"), TITLE)
    keys.type_into(
        enterprise.get_by_label("问题描述"), "订单增长，二期车间缺焊工；本地招聘一个月应聘者不足5人。"
    )
    keys.follow(enterprise.get_by_role("button", name="提交诉求", exact=True))
    expect(enterprise.locator("h1")).to_have_text(TITLE)
    issue = Issue.objects.get(title=TITLE)
    path = f"/issues/{issue.pk}/"
    assert issue.urgency == "urgent"

    # The dispatcher finds it in the queue, accepts it and dispatches it to the suggested lead unit.
    dispatcher.reload()
    keys = Keyboard(dispatcher)
    keys.follow(dispatcher.get_by_role("link", name=TITLE).first)
    keys.activate(dispatcher.locator("#move-accept summary"))
    keys.follow(dispatcher.locator("#move-accept").get_by_role("button", name="确认受理"))
    expect(dispatcher.locator(".notice").first).to_contain_text("已完成")
    keys.activate(dispatcher.locator("#move-dispatch summary"), "Space")
    form = dispatcher.locator("#move-dispatch")
    expect(form.get_by_label("牵头单位")).to_have_value(str(world.hrss.pk))
    keys.follow(form.get_by_role("button", name="确认派单"))
    expect(dispatcher.locator(".notice").first).to_contain_text("已完成")

    # The unit signs from its inbox, records the first contact and answers.
    handler.reload()
    keys = Keyboard(handler)
    keys.follow(handler.get_by_role("link", name=TITLE).first)
    keys.follow(handler.get_by_role("button", name="签收", exact=True))
    keys.activate(handler.locator("#move-contact summary"))
    keys.type_into(handler.get_by_label("联系情况"), "已电话联系李经理，约定现场查看。")
    keys.follow(handler.locator("#move-contact").get_by_role("button", name="确认记录首次联系"))
    keys.activate(handler.locator("#move-respond summary"))
    form = handler.locator("#move-respond")
    keys.choose(form.locator("fieldset", has_text="答复结果"), "已解决")
    keys.type_into(form.get_by_label("答复内容"), "已推送焊工简历42份，首批12人已上岗。")
    keys.follow(form.get_by_role("button", name="确认答复"))
    expect(handler.locator(".notice").first).to_contain_text("已完成")

    # The enterprise rates the answer from its "to rate" tab: the problem is closed.
    enterprise.goto(f"{live_server.url}/")
    keys = Keyboard(enterprise)
    keys.follow(enterprise.get_by_role("link", name=re.compile("待我评价")))
    keys.follow(enterprise.get_by_role("link", name=TITLE).first)
    assert enterprise.url.endswith(path)
    keys.activate(enterprise.locator("#move-evaluate summary"))
    form = enterprise.locator("#move-evaluate")
    keys.choose(form.locator("fieldset", has_text="办理单位是否联系过您"), "是")
    keys.choose(form.locator("fieldset", has_text="问题是否已解决"), "是")
    keys.choose(form.locator("fieldset", has_text="满意度"), "满意")
    keys.follow(form.get_by_role("button", name="确认评价"))
    expect(enterprise.locator(".status-line")).to_contain_text("已办结")
    assert_accessible(enterprise)
    issue.refresh_from_db()
    assert issue.status == Status.CLOSED
    assert issue.satisfaction == "satisfied"
