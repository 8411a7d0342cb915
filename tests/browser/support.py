"""What the browser tests share: the request guard every page gets, logging in through the real form,
screenshots, and the checks for accessibility (axe-core) and sideways scrolling.

axe-core comes inside the ``axe-playwright-python`` wheel and is injected into the page under test: nothing is
fetched at run time (the request guard would fail the test if it were).
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import BrowserContext, ConsoleMessage, Page, Request, Response, Route, WebError

SCREENSHOTS = Path(settings.BASE_DIR) / "test-results" / "screenshots"
# The impacts that fail a test. axe-core also reports "moderate" and "minor" ones.
FAILING_IMPACTS = ("serious", "critical")
# Schemes that never leave the browser.
LOCAL_SCHEMES = {"data", "blob", "about"}


class PageGuard:
    """Records every request of a browser context, refuses those that leave the server's origin, and collects
    server errors (HTTP 5xx), uncaught script errors and Content-Security-Policy refusals, for the fixture to
    fail the test on."""

    def __init__(self, *, origin: str) -> None:
        parts = urlsplit(origin)
        self.origin = (parts.scheme, parts.netloc)
        self.requests: list[str] = []
        self.off_origin: list[str] = []
        self.server_errors: list[str] = []
        self.script_errors: list[str] = []
        self.csp_refusals: list[str] = []

    def is_local(self, url: str) -> bool:
        parts = urlsplit(url)
        return parts.scheme in LOCAL_SCHEMES or (parts.scheme, parts.netloc) == self.origin

    def watch(self, context: BrowserContext) -> None:
        context.on("request", self._on_request)
        context.on("response", self._on_response)
        context.on("weberror", self._on_web_error)
        context.on("console", self._on_console)
        # An intranet has no way out: what tries to leave is stopped, and reported by the fixture.
        context.route(lambda url: not self.is_local(url), self._refuse)

    def _on_request(self, request: Request) -> None:
        self.requests.append(request.url)
        if not self.is_local(request.url):
            self.off_origin.append(f"{request.method} {request.url} ({request.resource_type})")

    def _on_response(self, response: Response) -> None:
        if response.status >= 500:
            self.server_errors.append(f"{response.request.method} {response.url} → HTTP {response.status}")

    @staticmethod
    def _refuse(route: Route) -> None:
        route.abort("blockedbyclient")

    def _on_web_error(self, error: WebError) -> None:
        self.script_errors.append(str(error.error))

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.csp_refusals.append(message.text)

    def problems(self) -> list[str]:
        found = []
        if self.off_origin:
            found.append(
                "Requests left the server's origin (an intranet page loads everything from its own server):\n  "
                + "\n  ".join(self.off_origin)
            )
        if self.server_errors:
            found.append("The server failed:\n  " + "\n  ".join(self.server_errors))
        if self.script_errors:
            found.append("Uncaught script errors:\n  " + "\n  ".join(self.script_errors))
        if self.csp_refusals:
            found.append("The Content-Security-Policy refused:\n  " + "\n  ".join(self.csp_refusals))
        return found


def login(page: Page, live_server, username: str, password: str) -> None:
    """Log in through the real login form, as a person would; the page it leads to must answer 200."""
    page.goto(f"{live_server.url}{reverse('login')}")
    page.get_by_label("用户名", exact=True).fill(username)
    page.get_by_label("密码", exact=True).fill(password)
    pages: list[Response] = []

    def record(response: Response) -> None:
        if response.request.is_navigation_request() and response.frame == page.main_frame:
            pages.append(response)

    page.on("response", record)
    try:
        with page.expect_navigation():
            page.get_by_role("button", name="登录", exact=True).click()
        page.wait_for_load_state()
    finally:
        page.remove_listener("response", record)
    sent, landed = pages[0], pages[-1]
    if sent.status != 302:
        errors = page.locator(".errors, .notice.error").all_inner_texts()
        pytest.fail(f"{username} could not log in (HTTP {sent.status}): {' '.join(errors)}", pytrace=False)
    if landed.status != 200:
        pytest.fail(f"{username} logged in and landed on {landed.url}: HTTP {landed.status}", pytrace=False)


def screenshot(page: Page, name: str) -> Path:
    """A full-page screenshot under test-results/screenshots/ (git-ignored), named with the screen width."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"] if page.viewport_size else 0
    safe = re.sub(r"[^\w.-]+", "-", name)
    path = SCREENSHOTS / f"{safe}-{width}.png"
    page.screenshot(path=path, full_page=True)
    return path


def axe_violations(page: Page, impacts: tuple[str, ...] = FAILING_IMPACTS) -> list[dict]:
    """axe-core's violations on the page as it is now, of the given impacts."""
    results = Axe().run(page)
    return [violation for violation in results.response["violations"] if violation["impact"] in impacts]


def describe_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"[{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})"
        )
        for node in violation["nodes"]:
            lines.append(f"    at {', '.join(map(str, node['target']))}: {node['html'][:200]}")
            summary = (node.get("failureSummary") or "").replace("\n", " / ")
            if summary:
                lines.append(f"       {summary}")
    return "\n".join(lines)


def assert_accessible(page: Page) -> None:
    """Fail on any axe-core violation of impact serious or critical, naming the rule, the nodes and the fix."""
    violations = axe_violations(page)
    if violations:
        pytest.fail(
            f"axe-core found {len(violations)} serious or critical violation(s) on {page.url}:\n"
            + describe_violations(violations),
            pytrace=False,
        )


def assert_no_horizontal_scroll(page: Page) -> None:
    """The page fits the window's width: nothing makes it scroll sideways. Names the widest culprits."""
    width, inner = page.evaluate("() => [document.scrollingElement.scrollWidth, window.innerWidth]")
    # A mobile browser zooms out to show a page wider than the screen, which widens innerWidth with it: the
    # screen's own width is the measure.
    if page.viewport_size:
        inner = min(inner, page.viewport_size["width"])
    if width <= inner:
        return
    culprits = page.evaluate(
        """(inner) => Array.from(document.body.querySelectorAll('*'))
            .filter((el) => el.getBoundingClientRect().right > inner + 1)
            .slice(0, 8)
            .map((el) => `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}`
                + `${el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : ''}`
                + ` right=${Math.round(el.getBoundingClientRect().right)}`)""",
        inner,
    )
    pytest.fail(
        f"{page.url} scrolls sideways at {inner}px: content is {width}px wide. Too wide: {'; '.join(culprits)}",
        pytrace=False,
    )
