"""A specialist logs an on-site visit with the keyboard alone, on a desktop and at 390×844: the time typed into the
date-time input field by field, the operating snapshot, a companion and a problem found. Every element focus stops
on must show it has focus (support.Keyboard), the date-time input's picker button included.
"""

import datetime as dt
import re

from django.utils import timezone
from playwright.sync_api import expect

from services.issues.models import Channel, Issue
from services.visits.models import Method, Visit
from tests.browser.support import (
    Keyboard,
    assert_accessible,
    assert_no_horizontal_scroll,
    login_with_keyboard,
)

FOUND = "车间缺焊工30名，夜班开不了"


def test_a_specialist_logs_an_on_site_visit_with_its_snapshot_and_a_problem_found_by_keyboard_alone(
    page, live_server, world
):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    visited = timezone.make_aware(dt.datetime.combine(yesterday, dt.time(14, 35)))
    login_with_keyboard(page, live_server, world.specialist.username, world.password)
    keys = Keyboard(page)

    card = page.locator(".card", has_text=world.enterprise.name)
    keys.follow(card.get_by_role("link", name=re.compile("^记录走访")))
    expect(page.get_by_role("heading", level=1)).to_have_text("记录走访")
    expect(page.get_by_label("走访企业")).to_have_value(str(world.enterprise.pk))
    keys.select(page.get_by_label("走访方式"), "实地走访")
    keys.type_date(page.get_by_label("走访时间"), timezone.localtime(visited).replace(tzinfo=None))
    keys.type_into(page.get_by_label("接待人员"), "李晓梅（办公室主任）")
    keys.select(page.get_by_label("同行人员"), f"{world.dispatcher.name}（调度员）")
    keys.select(page.get_by_label("订单", exact=True), "良好")
    keys.type_into(page.get_by_label("订单情况"), "订单排到6月，产能吃紧。")
    keys.select(page.get_by_label("用工", exact=True), "吃紧")
    keys.type_into(page.get_by_label("用工情况"), "缺焊工30名。")
    keys.type_into(page.get_by_label("政策宣讲"), "稳岗返还、技能提升补贴。")
    keys.select(page.locator('select[name="problems-0-category"]'), "用工 / 招工难")
    keys.select(page.locator('select[name="problems-0-urgency"]'), "紧急")
    keys.type_into(page.locator('textarea[name="problems-0-description"]'), FOUND)
    keys.follow(page.get_by_role("button", name="提交走访记录"))

    expect(page.get_by_role("heading", level=1)).to_contain_text(world.enterprise.name)
    expect(page.locator("main")).to_contain_text(FOUND)
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    visit = Visit.objects.get()
    assert (visit.visited_at, visit.method, visit.people_met) == (
        visited,
        Method.ON_SITE,
        "李晓梅（办公室主任）",
    )
    assert (visit.orders_condition, visit.labour_condition) == ("good", "strained")
    assert set(visit.companions.all()) == {world.dispatcher}
    found = Issue.objects.get(visit=visit)
    assert (found.channel, found.urgency, found.description) == (Channel.VISIT, "urgent", FOUND)
