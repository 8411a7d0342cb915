"""What the browser tests share: the request guard every page gets, logging in through the real form,
screenshots, and the checks for accessibility (axe-core) and sideways scrolling.

axe-core comes inside the ``axe-playwright-python`` wheel and is injected into the page under test: nothing is
fetched at run time (the request guard would fail the test if it were).
"""

from __future__ import annotations

import datetime as dt
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


def horizontal_overflow(page: Page) -> str:
    """Why the page scrolls sideways in its window (naming the widest culprits), or "" when it fits."""
    # Measured once the page has loaded: a link followed by a click may leave its text in place (what the test
    # waited for) while a stylesheet is still on its way, and the unstyled page is wider than the styled one.
    page.wait_for_load_state("load")
    width, inner = page.evaluate("() => [document.scrollingElement.scrollWidth, window.innerWidth]")
    # A mobile browser zooms out to show a page wider than the screen, which widens innerWidth with it: the
    # screen's own width is the measure.
    if page.viewport_size:
        inner = min(inner, page.viewport_size["width"])
    if width <= inner:
        return ""
    culprits = page.evaluate(
        """(inner) => Array.from(document.body.querySelectorAll('*'))
            .filter((el) => el.getBoundingClientRect().right > inner + 1)
            .slice(0, 8)
            .map((el) => `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}`
                + `${el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : ''}`
                + ` right=${Math.round(el.getBoundingClientRect().right)}`)""",
        inner,
    )
    return f"{page.url} scrolls sideways at {inner}px: content is {width}px wide. Too wide: {'; '.join(culprits)}"


def assert_no_horizontal_scroll(page: Page) -> None:
    """The page fits the window's width: nothing makes it scroll sideways. Names the widest culprits."""
    overflow = horizontal_overflow(page)
    if overflow:
        pytest.fail(overflow, pytrace=False)


# Where focus is and whether it shows. A date or time input is one element to the page, but Tab stops inside it
# several times: on each of its fields (year, month, …; the host then matches :focus) and on its picker button
# (the host then matches only :focus-within, not :focus or :focus-visible). ``document.activeElement`` is the
# input at every one of those stops, so its own outline (or box-shadow) is what must show focus at each.
FOCUS_STOP = """(target) => {
    const el = document.activeElement;
    if (!el || el === document.body) { return [false, 'body', true]; }
    const style = getComputedStyle(el);
    const outlined = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
    const inside = !el.matches(':focus') && el.matches(':focus-within') ? ' (on a part inside it: its picker button)' : '';
    const where = `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''} "${
        (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 30)}"${inside}`;
    return [el === target, where, outlined || style.boxShadow !== 'none'];
}"""

# The fields of a date or time input in the order the browser shows them, which follows its locale
# (月/日/年 and 12 hours in en-US, 年/月/日 and 24 hours in zh-CN): Chromium names each by a pseudo-element.
DATE_FIELD = re.compile(r"^-webkit-datetime-edit-(year|month|day|hour|minute|ampm)-field$")


class Keyboard:
    """Drives a page with the keyboard alone, as a person who cannot use a mouse: Tab (or Shift+Tab) until focus
    reaches the element wanted, then a key. Every element focus stops on must show that it has focus."""

    def __init__(self, page: Page, *, limit: int = 150) -> None:
        self.page = page
        self.limit = limit  # presses before giving up: the element is not reachable by Tab

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)

    def focused(self, locator) -> bool:
        return bool(locator.evaluate("(el) => el === document.activeElement"))

    def assert_focus_visible(self) -> None:
        """Focus is on an element (not the page) and shows it: after a key moved it without Tab (Escape, Enter)."""
        _, where, visible = self.page.evaluate(FOCUS_STOP, None)
        if where == "body" or not visible:
            pytest.fail(f"Focus on {where} is not visible (no outline) at {self.page.url}", pytrace=False)

    def tab_to(self, locator, *, backwards: bool = False) -> None:
        """Press Tab (Shift+Tab backwards) until ``locator`` has focus; each stop on the way must show focus."""
        target = locator.element_handle()
        key = "Shift+Tab" if backwards else "Tab"
        stops: list[str] = []
        for _ in range(self.limit):
            self.press(key)
            reached, where, visible = self.page.evaluate(FOCUS_STOP, target)
            if not visible:
                pytest.fail(f"Focus on {where} is not visible (no outline) at {self.page.url}", pytrace=False)
            if reached:
                return
            stops.append(where)
        pytest.fail(
            f"{key} never reached {locator} at {self.page.url} in {self.limit} presses; stopped on: "
            + ", ".join(stops[:40]),
            pytrace=False,
        )

    def activate(self, locator, key: str = "Enter") -> None:
        """Tab to a link, button or summary and press Enter (or Space)."""
        self.tab_to(locator)
        self.press(key)

    def follow(self, locator, key: str = "Enter") -> None:
        """Tab to a link or a submit button and press Enter; wait for the page it leads to."""
        self.tab_to(locator)
        with self.page.expect_navigation():
            self.press(key)
        self.page.wait_for_load_state()

    def type_into(self, locator, text: str) -> None:
        self.tab_to(locator)
        self.page.keyboard.insert_text(text)

    def date_fields(self, locator) -> list[str]:
        """The fields of a date or time input (found by its id), in the order they are shown: read, not touched,
        through the DevTools protocol, which sees inside the input as a person's eyes do."""
        cdp = self.page.context.new_cdp_session(self.page)
        try:
            root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
            css = f"#{locator.get_attribute('id')}"
            node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": css})["nodeId"]
            tree = cdp.send("DOM.describeNode", {"nodeId": node, "depth": -1, "pierce": True})["node"]
        finally:
            cdp.detach()
        fields: list[str] = []

        def walk(node: dict) -> None:
            attributes = node.get("attributes", [])
            pseudo = dict(zip(attributes[::2], attributes[1::2], strict=True)).get("pseudo", "")
            if found := DATE_FIELD.match(pseudo):
                fields.append(found.group(1))
            for child in node.get("shadowRoots", []) + node.get("children", []):
                walk(child)

        walk(tree)
        if not fields:
            pytest.fail(f"{locator} shows no date or time fields", pytrace=False)
        return fields

    def type_date(self, locator, when: dt.date | dt.datetime) -> None:
        """Tab to a date (or date-time) input and type ``when`` into it field by field, as a person does: the digits
        of each field, the arrow keys to move between fields (a field that is complete moves on by itself), and for
        a 12-hour clock ArrowUp on 上午/下午 (AM/PM) until the half of the day is right."""
        fields = self.date_fields(locator)
        hour = when.hour if isinstance(when, dt.datetime) else 0
        digits = {
            "year": f"{when.year:04d}",
            "month": f"{when.month:02d}",
            "day": f"{when.day:02d}",
            "hour": f"{(hour % 12 or 12) if 'ampm' in fields else hour:02d}",
            "minute": f"{when.minute:02d}" if isinstance(when, dt.datetime) else "",
        }
        # Tab lands on one of its fields (the first, coming from before it), or on its picker button.
        self.tab_to(locator)
        if not locator.evaluate("(el) => el.matches(':focus')"):
            self.press("Shift+Tab")  # from the picker button back to the last field
        # 上午/下午 last, when the rest of the value is there to tell which half of the day it holds.
        for position, field in sorted(enumerate(fields), key=lambda item: item[1] == "ampm"):
            # Back to the first field, then right to this one: the same keys whether the last field moved on or not.
            for _ in range(len(fields)):
                self.press("ArrowLeft")
            for _ in range(position):
                self.press("ArrowRight")
            if field != "ampm":
                self.page.keyboard.type(digits[field])
                continue
            for _ in range(2):
                shown = locator.input_value()
                if shown and int(shown[11:13]) // 12 == hour // 12:
                    break
                self.press("ArrowUp")
        expected = f"{when:%Y-%m-%dT%H:%M}" if isinstance(when, dt.datetime) else f"{when:%Y-%m-%d}"
        typed = locator.input_value()
        if typed != expected:
            pytest.fail(f"Typing {expected} into {locator} (fields {fields}) gave {typed!r}", pytrace=False)

    def select(self, locator, label: str) -> None:
        """Tab to a drop-down and move through its options with the arrow keys until ``label`` is chosen."""
        self.tab_to(locator)
        for _ in range(self.limit):
            chosen = locator.evaluate("(el) => el.selectedOptions.length ? el.selectedOptions[0].label : ''")
            if chosen == label:
                return
            self.press("ArrowDown")
        pytest.fail(f"The arrow keys never chose {label!r} in {locator}", pytrace=False)

    def choose(self, fieldset, label: str) -> None:
        """Tab into a group of radio buttons, then choose ``label`` with Space and the arrow keys."""
        radios = fieldset.locator("input[type=radio]")
        wanted = fieldset.get_by_label(label, exact=True)
        for _ in range(self.limit):
            self.press("Tab")
            if radios.evaluate_all("(els) => els.includes(document.activeElement)"):
                break
        else:
            pytest.fail(f"Tab never reached the choices of {fieldset}", pytrace=False)
        self.press("Space")
        for _ in range(radios.count()):
            if wanted.is_checked():
                return
            self.press("ArrowDown")
        if not wanted.is_checked():
            pytest.fail(f"The arrow keys never chose {label!r}", pytrace=False)


def login_with_keyboard(page: Page, live_server, username: str, password: str) -> None:
    """Log in with the keyboard alone: the user name field has focus on arrival; Tab to the password; Enter."""
    page.goto(f"{live_server.url}{reverse('login')}")
    keys = Keyboard(page)
    if not keys.focused(page.get_by_label("用户名", exact=True)):
        keys.tab_to(page.get_by_label("用户名", exact=True))
    page.keyboard.insert_text(username)
    keys.type_into(page.get_by_label("密码", exact=True), password)
    with page.expect_navigation():
        keys.press("Enter")
    page.wait_for_load_state()
    if urlsplit(page.url).path == reverse("login"):
        pytest.fail(f"{username} could not log in with the keyboard", pytrace=False)
