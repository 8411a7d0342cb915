"""Which unit leads a problem by default (the dispatcher may choose another).

A category names its default lead unit. A local category (基础设施与环境: roads, pipes, living facilities of a
park) is flagged ``led_by_location``: its problems default to the committee of the enterprise's park, else
to its town or street, and only then to the category's fixed unit (DESIGN §7: 基础设施与环境 → 园区/镇街).

A park's committee and a town's government are found by code: ``park_<park code>`` and ``town_<town code>``
(the reference data keeps the codes in step; see seeds/units.csv).
"""

from services.departments.models import Unit
from services.enterprises.models import Enterprise
from services.issues.models import Category

PARK_UNIT_PREFIX = "park_"
TOWN_UNIT_PREFIX = "town_"


def local_unit_codes(enterprise: Enterprise) -> list[str]:
    """The codes of the units where the enterprise is, nearest first: its park's committee, its town."""
    codes = []
    if enterprise.park_id:
        codes.append(PARK_UNIT_PREFIX + enterprise.park.code)
    if enterprise.town_id:
        codes.append(TOWN_UNIT_PREFIX + enterprise.town.code)
    return codes


def default_lead_unit(category: Category, enterprise: Enterprise) -> Unit | None:
    if category.led_by_location:
        codes = local_unit_codes(enterprise)
        units = {unit.code: unit for unit in Unit.objects.filter(code__in=codes, is_active=True)}
        for code in codes:
            if code in units:
                return units[code]
    return category.lead_unit()
