import pytest
from django.db import connection

from tests.factories import (
    AdminFactory,
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


@pytest.fixture(autouse=True)
def _postgres_tests_need_postgres(request):
    """A test marked ``postgres`` fails loudly, never skips, when the suite runs on another database."""
    if request.node.get_closest_marker("postgres") and connection.vendor != "postgresql":
        pytest.fail(
            "This test needs PostgreSQL (row locks, concurrency). Run the suite with "
            "DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiangjin (make test does).",
            pytrace=False,
        )


@pytest.fixture(autouse=True)
def _chinese_by_default(settings):
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture
def unit(db):
    return UnitFactory(name="重庆市江津区人力资源和社会保障局", short_name="区人力社保局")


@pytest.fixture
def other_unit(db):
    return UnitFactory(name="重庆市江津区规划和自然资源局", short_name="区规划自然资源局")


@pytest.fixture
def enterprise(db):
    return EnterpriseFactory(name="重庆江记酒庄有限公司")


@pytest.fixture
def enterprise_user(enterprise):
    return EnterpriseUserFactory(enterprise=enterprise, display_name="李晓梅")


@pytest.fixture
def specialist(enterprise):
    from tests.factories import AssignmentFactory

    person = SpecialistFactory(display_name="张建国")
    AssignmentFactory(enterprise=enterprise, specialist=person)
    return person


@pytest.fixture
def dispatcher(db):
    return DispatcherFactory(display_name="王调度")


@pytest.fixture
def handler(unit):
    return HandlerFactory(unit=unit, display_name="陈经办")


@pytest.fixture
def unit_head(unit):
    return UnitHeadFactory(unit=unit, display_name="刘局长")


@pytest.fixture
def other_handler(other_unit):
    return HandlerFactory(unit=other_unit, display_name="赵经办")


@pytest.fixture
def category(unit):
    parent = CategoryFactory(name="用工", default_lead_unit=unit)
    return CategoryFactory(name="招工难", parent=parent, default_lead_unit=None)


@pytest.fixture
def other_enterprise_user(db):
    """A user of another enterprise, served by no one the tests name."""
    return EnterpriseUserFactory(display_name="马晓梅")


@pytest.fixture
def idle_specialist(db):
    """A specialist who does not serve the enterprise."""
    return SpecialistFactory(display_name="郭专员")


@pytest.fixture
def leader(db):
    return LeaderFactory(display_name="林区长")


@pytest.fixture
def administrator(db):
    return AdminFactory(display_name="徐管理")


@pytest.fixture
def co_unit(db):
    return UnitFactory(name="重庆市江津区就业和人才服务局", short_name="区就业服务局")


@pytest.fixture
def co_handler(co_unit):
    return HandlerFactory(unit=co_unit, display_name="何协办")
