"""A leader reads the 统计报表 dashboard on a desktop and on a phone: the headline against its target, a
definition opened with one click, a breakdown's chart with its table, the list behind a number, and an
Excel export downloaded."""

import io
import re

from django.urls import reverse
from openpyxl import load_workbook
from playwright.sync_api import expect

from services.reports.models import AnnualTarget, Figure
from tests.browser.support import assert_accessible, assert_no_horizontal_scroll, login, screenshot
from tests.factories import VisitFactory
from tests.issues.state import shanghai


def test_a_leader_reads_the_dashboard_opens_a_definition_and_its_list(page, live_server, world):
    AnnualTarget.objects.create(year=2025, figure=Figure.ON_SITE_COVERAGE, value="0.95")
    VisitFactory(
        enterprise=world.enterprise, specialist=world.specialist, visited_at=shanghai(2025, 4, 8, 10)
    )
    login(page, live_server, world.leader.username, world.password)

    page.get_by_role("link", name="统计报表").click()
    page.get_by_label("年度").fill("2025")
    page.get_by_role("button", name="查看").click()

    card = page.locator(".headline-card", has_text="实地遍访率")
    expect(card).to_contain_text("100%")
    expect(card).to_contain_text("达到目标")
    card.get_by_text("口径").click()
    expect(card.locator("details")).to_contain_text("有实地走访的规上在营企业")
    expect(page.locator("figure.chart").first).to_be_visible()
    expect(page.locator("table caption").first).to_be_visible()
    assert_no_horizontal_scroll(page)
    assert_accessible(page)
    screenshot(page, "reports-dashboard")

    card.locator("details a").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("有实地走访的规上在营企业")
    expect(page.locator("main")).to_contain_text("共1条")
    expect(page.locator("main")).to_contain_text(world.enterprise.name)
    assert_no_horizontal_scroll(page)


def test_a_dispatcher_downloads_the_headline_as_excel(desktop, live_server, world):
    login(desktop, live_server, world.dispatcher.username, world.password)
    desktop.goto(f"{live_server.url}{reverse('web:reports')}?kind=year&year=2025")

    with desktop.expect_download() as download:
        desktop.get_by_role("link", name="导出Excel").first.click()

    assert re.search(r"\.xlsx$", download.value.suggested_filename)
    with open(download.value.path(), "rb") as handle:
        sheet = load_workbook(io.BytesIO(handle.read())).active
    first = [cell for cell in next(sheet.iter_rows(values_only=True)) if cell is not None]
    assert first == ["2025年统计报表"]
