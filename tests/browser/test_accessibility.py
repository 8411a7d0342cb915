"""Every page of the product, opened by the person who uses it, on a desktop (1366 px) and a phone (390 px):
axe-core finds no serious or critical violation (GB/T 37668-2019, WCAG 2.0 AA) and nothing scrolls sideways,
also with the large-text setting (大字号) on; on the desktop each page is read at 200% zoom too (683 CSS px).

A test visits all the pages of one role and reports every failing page at once, so one run shows the whole
list of what to fix."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from services.issues.models import Category
from tests.browser.support import (
    axe_violations,
    describe_violations,
    horizontal_overflow,
    login,
    screenshot,
)
from tests.factories import VisitFactory
from tests.factories.issues import dispatched, filed, handling, responded, under_review

# 1366 px shown at 200% zoom leaves 683 CSS pixels.
ZOOMED = {"width": 683, "height": 384}


class Audit:
    """Opens pages one after another and collects what fails on each, for one report at the end."""

    def __init__(self, page: Page, live_server) -> None:
        self.page = page
        self.live_server = live_server
        self.failures: list[str] = []

    def visit(self, path: str) -> Page:
        response = self.page.goto(f"{self.live_server.url}{path}")
        assert response is not None and response.status == 200, (
            f"{path} answered {response and response.status}"
        )
        return self.page

    def check(self, name: str) -> None:
        """The page as it is now: axe and sideways scroll; in large text; on the desktop also at 200% zoom."""
        page = self.page
        violations = axe_violations(page)
        if violations:
            self.failures.append(f"{name} ({page.url}):\n{describe_violations(violations)}")
        self._fits(name)
        screenshot(page, f"a11y-{name}")
        self._fits_in_large_text(name)
        viewport = page.viewport_size
        if viewport and viewport["width"] > ZOOMED["width"]:
            page.set_viewport_size(ZOOMED)
            self._fits(f"{name} at 200% zoom")
            self._fits_in_large_text(f"{name} at 200% zoom")
            page.set_viewport_size(viewport)

    def _fits_in_large_text(self, name: str) -> None:
        root = "document.documentElement.classList"
        if self.page.evaluate(f"() => {root}.contains('large-text')"):
            return
        self.page.evaluate(f"() => {root}.add('large-text')")
        self._fits(f"{name} in large text")
        self.page.evaluate(f"() => {root}.remove('large-text')")

    def _fits(self, name: str) -> None:
        overflow = horizontal_overflow(self.page)
        if overflow:
            self.failures.append(f"{name}: {overflow}")

    def page_check(self, path: str, name: str) -> Page:
        page = self.visit(path)
        self.check(name)
        return page

    def unfold(self, slug: str) -> None:
        self.page.locator(f"#move-{slug} > summary").click()

    def done(self) -> None:
        if self.failures:
            pytest.fail("\n\n".join(self.failures), pytrace=False)


@pytest.fixture
def audit(page, live_server):
    return Audit(page, live_server)


def _labour_item() -> Category:
    return Category.objects.get(code="labour_recruitment")


def test_the_login_page_before_and_after_a_refused_login(audit, world):
    page = audit.page_check(reverse("login"), "login")
    page.get_by_label("用户名", exact=True).fill(world.enterprise_user.username)
    page.get_by_label("密码", exact=True).fill("wrong-password")
    with page.expect_navigation():
        page.get_by_role("button", name="登录", exact=True).click()
    expect(page.get_by_role("alert")).to_be_visible()
    audit.check("login-refused")
    audit.done()


def test_the_enterprise_pages(audit, live_server, world):
    responded(
        handler=world.handler,
        dispatcher=world.dispatcher,
        enterprise_user=world.enterprise_user,
        category=_labour_item(),
    )
    waiting = filed(enterprise_user=world.enterprise_user, category=_labour_item(), title="社保缴费基数咨询")
    login(audit.page, live_server, world.enterprise_user.username, world.password)
    for tab in ("open", "rate", "closed", "all"):
        audit.page_check(f"/?tab={tab}", f"enterprise-home-{tab}")
    page = audit.page_check(reverse("web:issue-file"), "file-issue")
    with page.expect_navigation():
        page.get_by_role("button", name="提交诉求", exact=True).click()
    expect(page.locator(".field-error").first).to_be_visible()
    audit.check("file-issue-refused")

    answered = world.enterprise_user.enterprise.issues.exclude(pk=waiting.pk).get()  # waits for a rating
    audit.page_check(reverse("web:issue-detail", args=[answered.pk]), "issue-responded-enterprise")
    audit.unfold("evaluate")
    audit.check("issue-evaluate-unfolded")
    with page.expect_navigation():
        page.locator("#move-evaluate").get_by_role("button", name="确认评价").click()
    expect(page.locator("#move-evaluate .notice.error")).to_be_visible()
    audit.check("issue-evaluate-refused")

    audit.page_check(reverse("web:issue-detail", args=[waiting.pk]), "issue-submitted-enterprise")
    audit.unfold("withdraw")
    audit.check("issue-withdraw-unfolded")
    audit.page_check(reverse("web:notifications"), "notifications-enterprise")
    audit.done()


def test_the_unit_pages(audit, live_server, world):
    to_sign = dispatched(
        dispatcher=world.dispatcher,
        unit=world.hrss,
        enterprise_user=world.enterprise_user,
        category=_labour_item(),
        title="稳岗补贴申请进度",
    )
    working = handling(
        handler=world.handler,
        dispatcher=world.dispatcher,
        enterprise_user=world.enterprise_user,
        category=_labour_item(),
    )
    login(audit.page, live_server, world.handler.username, world.password)
    for show in ("all", "to_sign", "handling", "due_today", "overdue"):
        audit.page_check(f"/?show={show}", f"unit-inbox-{show}")
    audit.page_check("/?show=all&q=%E7%84%8A%E5%B7%A5", "unit-inbox-search")

    audit.page_check(reverse("web:issue-detail", args=[to_sign.pk]), "issue-dispatched-unit")
    audit.unfold("send-back")
    audit.check("issue-send-back-unfolded")

    page = audit.page_check(reverse("web:issue-detail", args=[working.pk]), "issue-handling-unit")
    audit.unfold("respond")
    audit.check("issue-respond-unfolded")
    with page.expect_navigation():
        page.locator("#move-respond").get_by_role("button", name="确认答复").click()
    expect(page.locator("#move-respond .field-error").first).to_be_visible()
    audit.check("issue-respond-refused")
    audit.unfold("request-extension")
    audit.check("issue-extension-unfolded")
    audit.page_check(reverse("web:notifications"), "notifications-unit")
    audit.done()


def test_the_dispatcher_pages(audit, live_server, world):
    filed(enterprise_user=world.enterprise_user, category=_labour_item(), title="用电增容报装进度")
    review = under_review(
        handler=world.handler,
        dispatcher=world.dispatcher,
        enterprise_user=world.enterprise_user,
        category=_labour_item(),
    )
    login(audit.page, live_server, world.dispatcher.username, world.password)
    for queue in ("to_accept", "to_dispatch", "sent_back", "extensions", "review", "supervision", "all"):
        audit.page_check(f"/?queue={queue}", f"dispatch-{queue}")
    audit.page_check("/?queue=all&q=%E7%94%A8%E7%94%B5", "dispatch-search")
    audit.page_check("/?queue=all&q=%E6%B2%A1%E6%9C%89", "dispatch-search-empty")

    new = world.enterprise_user.enterprise.issues.get(title="用电增容报装进度")
    page = audit.page_check(reverse("web:issue-detail", args=[new.pk]), "issue-submitted-dispatcher")
    audit.unfold("reject")
    audit.check("issue-reject-unfolded")
    with page.expect_navigation():
        page.locator("#move-reject").get_by_role("button", name="确认不予受理").click()
    audit.check("issue-reject-refused")

    audit.page_check(reverse("web:issue-detail", args=[review.pk]), "issue-under-review")
    audit.unfold("reopen")
    audit.check("issue-reopen-unfolded")
    audit.page_check(reverse("web:coverage"), "coverage-dispatcher")
    audit.page_check(reverse("web:notifications"), "notifications-dispatcher")
    audit.done()


def test_the_leader_pages(audit, live_server, world):
    VisitFactory(enterprise=world.enterprise, specialist=world.specialist)
    login(audit.page, live_server, world.leader.username, world.password)
    audit.page_check("/", "leader-home")
    audit.page_check(reverse("web:coverage"), "coverage")
    audit.page_check(reverse("web:reports"), "reports")
    audit.page_check(reverse("web:reports-drilldown", args=["covered"]), "reports-drilldown")
    audit.page_check(reverse("web:specialist-coverage"), "specialist-coverage-leader")
    audit.done()


def test_the_specialist_pages(audit, live_server, world):
    visit = VisitFactory(enterprise=world.enterprise, specialist=world.specialist)
    login(audit.page, live_server, world.specialist.username, world.password)
    audit.page_check(reverse("web:specialist-enterprises"), "specialist-enterprises")
    audit.page_check(reverse("web:specialist-log-visit"), "specialist-log-visit")
    audit.page_check(reverse("web:specialist-visit", args=[visit.pk]), "specialist-visit")
    audit.page_check(reverse("web:specialist-file", args=[world.enterprise.pk]), "specialist-file")
    audit.page_check(reverse("web:specialist-coverage"), "specialist-coverage")
    audit.page_check(reverse("web:notifications"), "notifications-specialist")
    audit.done()


def test_the_administrator_pages(audit, live_server, world):
    filed(enterprise_user=world.enterprise_user, category=_labour_item())
    login(audit.page, live_server, world.admin.username, world.password)
    audit.page_check(reverse("web:ops"), "ops")
    audit.page_check(reverse("web:reports-targets"), "reports-targets")
    audit.page_check(reverse("admin:index"), "admin-index")
    audit.page_check(reverse("admin:issues_issue_changelist"), "admin-issue-changelist")
    audit.page_check(reverse("admin:enterprises_enterprise_changelist"), "admin-enterprise-changelist")
    audit.page_check(
        reverse("admin:enterprises_enterprise_change", args=[world.enterprise.pk]), "admin-enterprise-change"
    )
    audit.page_check(reverse("admin:departments_unit_add"), "admin-unit-add")
    audit.done()


def test_large_text_is_switched_on_in_the_header_and_kept_on_the_next_pages(desktop, live_server, world):
    login(desktop, live_server, world.enterprise_user.username, world.password)
    root = desktop.locator("html")
    switch = desktop.get_by_role("button", name="大字号")
    expect(switch).to_have_attribute("aria-pressed", "false")
    normal = desktop.evaluate("() => parseFloat(getComputedStyle(document.querySelector('h1')).fontSize)")

    switch.click()

    expect(root).to_have_class(re.compile(r"\blarge-text\b"))
    expect(switch).to_have_attribute("aria-pressed", "true")
    large = desktop.evaluate("() => parseFloat(getComputedStyle(document.querySelector('h1')).fontSize)")
    assert large >= normal * 1.15
    assert desktop.evaluate("() => localStorage.getItem('text_size')") == "large"
    # The next page comes from the server already large: the cookie tells it, before any script runs.
    response = desktop.goto(f"{live_server.url}{reverse('web:notifications')}")
    assert '<html lang="zh-hans" class="large-text">' in response.text()
    expect(desktop.get_by_role("button", name="大字号")).to_have_attribute("aria-pressed", "true")

    desktop.get_by_role("button", name="大字号").click()

    response = desktop.goto(f"{live_server.url}/")
    assert "large-text" not in response.text()
    expect(root).not_to_have_class(re.compile(r"\blarge-text\b"))
