"""A leader walks the 统计报表 pages with the keyboard alone, on a desktop and at 390×844: a custom period typed
into the period picker's date inputs, a figure's definition (口径, a disclosure) opened, left with Escape and opened
again, the list behind one of its numbers followed, that list exported to Excel, and back to the dashboard. Every
element focus stops on must show it has focus (support.Keyboard)."""

import datetime as dt
import io

from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.browser.support import Keyboard, assert_accessible, login_with_keyboard
from tests.factories import VisitFactory
from tests.issues.state import shanghai


def test_a_leader_walks_the_reports_with_the_keyboard_alone(page, live_server, world):
    VisitFactory(
        enterprise=world.enterprise, specialist=world.specialist, visited_at=shanghai(2025, 4, 8, 10)
    )
    login_with_keyboard(page, live_server, world.leader.username, world.password)
    keys = Keyboard(page)

    keys.follow(page.get_by_role("link", name="统计报表"))
    keys.select(page.get_by_label("统计期", exact=True), "自定义")
    keys.type_date(page.get_by_label("开始日期"), dt.date(2025, 4, 3))
    keys.type_date(page.get_by_label("结束日期"), dt.date(2025, 6, 20))
    keys.follow(page.get_by_role("button", name="查看", exact=True))
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text("2025")
    expect(page.get_by_label("开始日期")).to_have_value("2025-04-03")
    period = heading.inner_text()

    # The definition of a figure is a disclosure: Enter opens it, Escape folds it and leaves focus on its summary.
    card = page.locator(".headline-card", has_text="实地遍访率")
    definition = card.locator("details")
    keys.activate(definition.locator("summary"))
    expect(definition).to_have_attribute("open", "")
    expect(definition).to_contain_text("有实地走访的规上在营企业")
    keys.tab_to(definition.get_by_role("link").first)
    keys.press("Escape")
    expect(definition).not_to_have_attribute("open", "")
    assert keys.focused(definition.locator("summary"))
    keys.assert_focus_visible()
    assert_accessible(page)

    keys.press("Space")
    expect(definition).to_have_attribute("open", "")
    keys.follow(definition.get_by_role("link").first)
    expect(page.get_by_role("heading", level=1)).to_have_text("有实地走访的规上在营企业")
    expect(page.locator("main")).to_contain_text("共1条")
    expect(page.locator("main")).to_contain_text(world.enterprise.name)
    assert_accessible(page)

    keys.tab_to(page.get_by_role("link", name="导出Excel"))
    with page.expect_download() as download:
        keys.press("Enter")
    assert download.value.suggested_filename.endswith(".xlsx")
    with open(download.value.path(), "rb") as handle:
        sheet = load_workbook(io.BytesIO(handle.read())).active
    assert world.enterprise.name in [cell for row in sheet.iter_rows(values_only=True) for cell in row]

    keys.tab_to(page.get_by_role("link", name="返回统计报表"), backwards=True)
    with page.expect_navigation():
        keys.press("Enter")
    expect(heading).to_have_text(period)
    expect(page.get_by_label("结束日期")).to_have_value("2025-06-20")
