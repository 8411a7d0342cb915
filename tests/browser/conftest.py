"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

They run in ``make test`` like every other test, on the suite's database (PostgreSQL there). Playwright's own
browser download is never used: the tests launch ``/usr/bin/chromium`` (``.ci/run`` installs Debian's
``chromium`` package) and FAIL, never skip, when it is missing.

Fixtures
    ``world``     a small district built with the factories: units, two-level categories, an enterprise and a
                  person in every role, each logging in with ``world.password``.
    ``page``      a fresh page, parametrised over the two screens: ids ``desktop`` (1366×768) and ``phone``
                  (390×844, touch, mobile viewport).
    ``desktop`` / ``phone``  a page at one screen size only.
    ``open_page`` ``open_page("phone")`` opens another page in a context of its own (its own cookies): for a
                  flow where two people take turns.
Every page these fixtures open records each request it makes and refuses any that leaves the live server's
origin; at teardown the test fails if one was tried, if the server answered 5xx, if a script threw, or if the
Content-Security-Policy refused something. Helpers for the tests are in ``tests/browser/support.py``.
"""

import os
from dataclasses import dataclass

import pytest
from playwright.sync_api import BrowserContext, Page

from services.accounts.models import User
from services.departments.models import Unit
from services.enterprises.models import Enterprise
from services.issues.models import Category
from tests.browser.support import PageGuard

# The sync Playwright API runs an event loop in the test's thread; the ORM calls the tests make there are
# ordinary synchronous calls all the same.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("JIANGJIN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENS = {
    "desktop": {"viewport": {"width": 1366, "height": 768}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}
# A page waits this long (ms) for an element or a navigation before the test fails, not Playwright's 30 s.
TIMEOUT_MS = 10_000

BROWSER_DIR = os.path.dirname(__file__)


def pytest_collection_modifyitems(config, items):
    """Every test in this folder is a browser test on a transactional database (the live server sees it)."""
    for item in items:
        if str(item.path).startswith(BROWSER_DIR + os.sep):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.django_db(transaction=True))


@pytest.fixture(scope="session")
def browser_type_launch_args():
    if not os.path.exists(CHROMIUM):
        pytest.fail(
            f"The browser tests need Chromium at {CHROMIUM}: install Debian's package "
            "(apt-get update && apt-get install -y chromium; .ci/run does it). "
            "Playwright's own browser download is not used.",
            pytrace=False,
        )
    return {"executable_path": CHROMIUM, "headless": True, "args": CHROMIUM_FLAGS}


@pytest.fixture(scope="session")
def browser_context_args():
    # Chinese first, as the district's users have it; the interface language comes from Accept-Language.
    return {"locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


@pytest.fixture
def open_page(new_context, live_server):
    """``open_page(screen)`` → a page in a new context of its own, guarded against off-origin requests."""
    guards: list[PageGuard] = []

    def _open(screen: str = "desktop") -> Page:
        context: BrowserContext = new_context(base_url=live_server.url, **SCREENS[screen])
        context.set_default_timeout(TIMEOUT_MS)
        guard = PageGuard(origin=live_server.url)
        guard.watch(context)
        guards.append(guard)
        return context.new_page()

    yield _open
    problems = [problem for guard in guards for problem in guard.problems()]
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


@pytest.fixture(params=list(SCREENS), ids=list(SCREENS))
def page(request, open_page) -> Page:
    return open_page(request.param)


@pytest.fixture
def desktop(open_page) -> Page:
    return open_page("desktop")


@pytest.fixture
def phone(open_page) -> Page:
    return open_page("phone")


# ---------------------------------------------------------------------------------------------- the district


@dataclass(frozen=True)
class World:
    password: str
    hrss: Unit  # 区人力社保局, lead unit of 用工
    planning: Unit  # 区规划自然资源局, lead unit of 用地
    econ_info: Unit  # 区经济信息委, a co-handling unit
    categories: dict[str, Category]  # level-1 name → level-1 category; .children are its level-2 items
    enterprise: Enterprise
    enterprise_user: User
    specialist: User
    dispatcher: User
    handler: User  # 区人力社保局
    unit_head: User  # 区人力社保局
    co_handler: User  # 区经济信息委
    planning_handler: User  # 区规划自然资源局
    leader: User
    admin: User

    def users(self) -> dict[str, User]:
        """Role name → user, one of each role the site has."""
        return {
            "enterprise": self.enterprise_user,
            "specialist": self.specialist,
            "dispatcher": self.dispatcher,
            "handler": self.handler,
            "unit_head": self.unit_head,
            "co_handler": self.co_handler,
            "leader": self.leader,
            "admin": self.admin,
        }


@pytest.fixture
def world(transactional_db, live_server) -> World:
    """A small, realistic district, built with the factories. Every user's password is ``world.password``."""
    from tests.factories import (
        AdminFactory,
        AssignmentFactory,
        CategoryFactory,
        DispatcherFactory,
        EnterpriseFactory,
        EnterpriseUserFactory,
        HandlerFactory,
        LeaderFactory,
        SpecialistFactory,
        UnitFactory,
        UnitHeadFactory,
    )

    hrss = UnitFactory(code="hrss", name="重庆市江津区人力资源和社会保障局", short_name="区人力社保局")
    planning = UnitFactory(
        code="planning_resources", name="重庆市江津区规划和自然资源局", short_name="区规划自然资源局"
    )
    econ_info = UnitFactory(
        code="econ_info", name="重庆市江津区经济和信息化委员会", short_name="区经济信息委"
    )
    labour = CategoryFactory(code="labour", name="用工", default_lead_unit=hrss, sort=10)
    land = CategoryFactory(code="land", name="用地", default_lead_unit=planning, sort=20)
    for code, name, parent, lead, sort in [
        ("labour_recruitment", "招工难", labour, hrss, 10),
        ("labour_skilled_talent", "技能人才短缺", labour, hrss, 20),
        ("labour_social_insurance", "社保缴纳", labour, hrss, 40),
        ("land_land_supply", "用地指标与供地", land, planning, 10),
        ("land_standard_plant", "标准厂房租用", land, econ_info, 50),
    ]:
        CategoryFactory(code=code, name=name, parent=parent, default_lead_unit=lead, sort=sort)

    enterprise = EnterpriseFactory(
        name="重庆江记酒庄有限公司", industry="酒、饮料和精制茶制造业", contact_name="李晓梅"
    )
    enterprise_user = EnterpriseUserFactory(
        username="qiye", display_name="李晓梅", enterprise=enterprise, phone="13900000001"
    )
    specialist = SpecialistFactory(username="zhuanyuan", display_name="张建国")
    AssignmentFactory(enterprise=enterprise, specialist=specialist)
    return World(
        password="jiangjin-test",  # the factories' password
        hrss=hrss,
        planning=planning,
        econ_info=econ_info,
        categories={"用工": labour, "用地": land},
        enterprise=enterprise,
        enterprise_user=enterprise_user,
        specialist=specialist,
        dispatcher=DispatcherFactory(username="diaodu", display_name="王调度"),
        handler=HandlerFactory(username="renshe", display_name="陈经办", unit=hrss),
        unit_head=UnitHeadFactory(username="renshe_fz", display_name="刘局长", unit=hrss),
        co_handler=HandlerFactory(username="jingxin", display_name="何协办", unit=econ_info),
        planning_handler=HandlerFactory(username="guihua", display_name="赵经办", unit=planning),
        leader=LeaderFactory(username="lingdao", display_name="林区长"),
        admin=AdminFactory(username="guanli", display_name="徐管理"),
    )
