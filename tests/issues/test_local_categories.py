"""Local categories go to the local unit (issue #11, item 9): a category flagged "led by the enterprise's
location" defaults to the committee of the enterprise's park, else to its town or street."""

import csv
from pathlib import Path

import pytest
from django.conf import settings

from services.departments.models import UnitKind
from services.issues.routing import default_lead_unit
from tests.factories import CategoryFactory, EnterpriseFactory, ParkFactory, TownFactory, UnitFactory

pytestmark = pytest.mark.django_db

SEEDS = Path(settings.BASE_DIR) / "seeds"


@pytest.fixture
def science_city_committee(db):
    return UnitFactory(code="park_science_city", name="科学城江津片区管理委员会", kind=UnitKind.PARK)


@pytest.fixture
def infrastructure(science_city_committee):
    return CategoryFactory(
        name="基础设施与环境", default_lead_unit=science_city_committee, led_by_location=True
    )


@pytest.fixture
def degan():
    return TownFactory(code="degan", name="德感街道")


def test_a_problem_of_an_enterprise_in_a_park_defaults_to_that_parks_committee(infrastructure, degan):
    committee = UnitFactory(code="park_degan", name="德感工业园管理委员会", kind=UnitKind.PARK)
    enterprise = EnterpriseFactory(town=degan, park=ParkFactory(code="degan", name="德感工业园", town=degan))

    assert default_lead_unit(infrastructure, enterprise) == committee


def test_a_problem_of_an_enterprise_outside_any_park_defaults_to_its_town(infrastructure):
    baisha = TownFactory(code="baisha", name="白沙镇")
    town = UnitFactory(code="town_baisha", name="重庆市江津区白沙镇人民政府", kind=UnitKind.TOWN)
    enterprise = EnterpriseFactory(town=baisha, park=None)

    assert default_lead_unit(infrastructure, enterprise) == town


def test_without_a_local_unit_the_categorys_own_lead_applies(infrastructure, science_city_committee, degan):
    enterprise = EnterpriseFactory(town=degan, park=None)

    assert default_lead_unit(infrastructure, enterprise) == science_city_committee


def test_a_category_not_led_by_location_keeps_its_fixed_lead(degan):
    hrss = UnitFactory(code="hrss", name="重庆市江津区人力资源和社会保障局")
    labour = CategoryFactory(name="用工", default_lead_unit=hrss)
    UnitFactory(code="town_degan", name="重庆市江津区德感街道办事处", kind=UnitKind.TOWN)

    assert default_lead_unit(labour, EnterpriseFactory(town=degan, park=None)) == hrss


def _codes(name: str, column: str = "code") -> set[str]:
    with (SEEDS / name).open(encoding="utf-8") as rows:
        return {row[column] for row in csv.DictReader(rows)}


def test_every_park_and_town_of_the_reference_data_has_its_local_unit():
    units = _codes("units.csv")

    assert {f"park_{code}" for code in _codes("parks.csv")} <= units
    assert {f"town_{code}" for code in _codes("towns.csv")} <= units


def test_the_infrastructure_category_of_the_reference_data_is_led_by_location():
    with (SEEDS / "categories.csv").open(encoding="utf-8") as rows:
        flags = {row["code"]: row.get("led_by_location") == "1" for row in csv.DictReader(rows)}

    assert flags["infrastructure"] and flags["infrastructure_roads"] and not flags["labour"]
