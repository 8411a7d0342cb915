"""A specialist logs a visit on a phone (390×844): with a photo and two problems found, and without a signal.

The problems found are filed on the enterprise's behalf and reach the dispatcher's queue; a visit submitted
offline stays on the phone as "not yet sent" and is recorded exactly once when the connection returns.
"""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from services.issues.lifecycle import Status
from services.issues.models import Channel, Issue
from services.visits.models import Visit, VisitPhoto
from tests.browser.support import assert_accessible, assert_no_horizontal_scroll, login, screenshot

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 400
FIRST = "车间缺焊工30名，夜班开不了"
SECOND = "10kV专线报装逾两月未排期"


def fill_visit(phone: Page, world) -> None:
    phone.get_by_label("接待人员").fill("李晓梅（办公室主任）")
    phone.get_by_label("同行人员").select_option(label=f"{world.dispatcher.name}（调度员）")
    phone.get_by_label("订单", exact=True).select_option("good")
    phone.get_by_label("订单情况").fill("订单排到6月，产能吃紧。")
    phone.get_by_label("用工", exact=True).select_option("strained")
    phone.get_by_label("用工情况").fill("缺焊工30名。")
    phone.get_by_label("政策宣讲").fill("稳岗返还、技能提升补贴。")
    phone.locator('select[name="problems-0-category"]').select_option(label="用工 / 招工难")
    phone.locator('textarea[name="problems-0-description"]').fill(FIRST)
    phone.get_by_role("button", name="再添加一个问题").click()
    phone.locator('select[name="problems-1-category"]').select_option(label="用地 / 用地指标与供地")
    phone.locator('select[name="problems-1-urgency"]').select_option("urgent")
    phone.locator('textarea[name="problems-1-description"]').fill(SECOND)


def open_visit_page(phone: Page, live_server, world) -> None:
    login(phone, live_server, world.specialist.username, world.password)
    expect(phone.get_by_role("heading", level=1)).to_have_text("我的企业")
    card = phone.locator(".card", has_text=world.enterprise.name)
    card.get_by_role("link", name=re.compile("^记录走访")).click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("记录走访")
    expect(phone.get_by_label("走访企业")).to_have_value(str(world.enterprise.pk))


def test_a_visit_with_a_photo_and_two_problems_reaches_the_dispatchers_queue(open_page, live_server, world):
    phone = open_page("phone")
    open_visit_page(phone, live_server, world)
    assert_no_horizontal_scroll(phone)
    assert_accessible(phone)
    fill_visit(phone, world)
    phone.get_by_label("现场照片").set_input_files(
        files=[{"name": "车间.jpg", "mimeType": "image/jpeg", "buffer": JPEG}]
    )
    screenshot(phone, "specialist-visit-filled")

    phone.get_by_role("button", name="提交走访记录").click()

    expect(phone.get_by_role("heading", level=1)).to_contain_text(world.enterprise.name)
    expect(phone.locator("main")).to_contain_text(FIRST)
    expect(phone.locator("main")).to_contain_text(SECOND)
    assert_no_horizontal_scroll(phone)
    screenshot(phone, "specialist-visit-recorded")
    visit = Visit.objects.get()
    assert VisitPhoto.objects.filter(visit=visit).count() == 1
    assert set(visit.companions.all()) == {world.dispatcher}

    dispatcher = open_page("phone")
    login(dispatcher, live_server, world.dispatcher.username, world.password)
    queue = dispatcher.locator("main")
    expect(queue).to_contain_text(FIRST)
    expect(queue).to_contain_text(SECOND)
    dispatcher.get_by_role("link", name=SECOND).first.click()
    expect(dispatcher.locator("main")).to_contain_text("专员走访发现")
    expect(dispatcher.locator("main")).to_contain_text(world.enterprise.name)
    issues = Issue.objects.filter(visit=visit)
    assert (
        sorted(issues.values_list("channel", "status", "enterprise_id"))
        == [(Channel.VISIT, Status.SUBMITTED, world.enterprise.pk)] * 2
    )


def test_a_visit_submitted_without_a_signal_is_kept_and_sent_once_when_it_returns(
    open_page, live_server, world
):
    phone = open_page("phone")
    open_visit_page(phone, live_server, world)
    fill_visit(phone, world)

    phone.context.set_offline(True)
    phone.get_by_role("button", name="提交走访记录").click()

    outbox = phone.locator("#outbox")
    expect(outbox).to_be_visible()
    expect(outbox).to_contain_text("已保存在本机，尚未发送")
    expect(outbox).to_contain_text(world.enterprise.name)
    screenshot(phone, "specialist-visit-offline")
    assert Visit.objects.count() == 0

    with phone.expect_response(
        lambda r: r.request.method == "POST" and r.url.endswith(reverse("web:specialist-log-visit"))
    ):
        phone.context.set_offline(False)

    expect(outbox).to_contain_text("已发送")
    assert_no_horizontal_scroll(phone)
    screenshot(phone, "specialist-visit-sent")
    # A second signal change (or a reload) must not send it again.
    phone.context.set_offline(True)
    phone.context.set_offline(False)
    phone.reload()
    expect(phone.get_by_role("heading", level=1)).to_have_text("记录走访")
    visit = Visit.objects.get()
    assert visit.client_key is not None
    assert sorted(Issue.objects.filter(visit=visit).values_list("description", flat=True)) == sorted(
        [FIRST, SECOND]
    )
    assert Issue.objects.count() == 2


@pytest.mark.parametrize("screen", ["phone"])
def test_the_enterprise_cards_and_coverage_fit_a_phone_and_pass_axe(open_page, live_server, world, screen):
    phone = open_page(screen)
    login(phone, live_server, world.specialist.username, world.password)

    expect(phone.locator(".card")).to_contain_text(world.enterprise.name)
    expect(phone.locator(".card")).to_contain_text("本季度尚未实地走访")
    assert_accessible(phone)
    assert_no_horizontal_scroll(phone)
    screenshot(phone, "specialist-enterprises")

    phone.get_by_role("link", name="季度遍访").click()
    expect(phone.locator("main")).to_contain_text("0 / 1")
    assert_accessible(phone)
    assert_no_horizontal_scroll(phone)


def test_a_visit_whose_answer_is_lost_on_a_weak_signal_is_recorded_once_when_sent_again(
    open_page, live_server, world
):
    phone = open_page("phone")
    open_visit_page(phone, live_server, world)
    fill_visit(phone, world)
    endpoint = f"{live_server.url}{reverse('web:specialist-log-visit')}"

    def saved_then_dropped(route):
        route.fetch()  # the server records the visit…
        route.abort("connectionreset")  # …and the answer never reaches the phone

    phone.route(endpoint, saved_then_dropped)
    phone.get_by_role("button", name="提交走访记录").click()

    outbox = phone.locator("#outbox")
    expect(outbox).to_contain_text("已保存在本机，尚未发送")
    assert Visit.objects.count() == 1

    phone.unroute(endpoint)
    phone.get_by_role("button", name="立即发送").click()

    expect(outbox).to_contain_text("已发送")
    assert Visit.objects.count() == 1
    assert Issue.objects.count() == 2
