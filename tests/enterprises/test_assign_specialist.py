"""包联: an administrator makes a specialist the enterprise's one current specialist; history is kept."""

from datetime import date

import pytest
from django.db import IntegrityError

from services.core.errors import InvalidInput, NotPermitted
from services.enterprises.actions import assign_specialist
from services.enterprises.models import SpecialistAssignment
from services.enterprises.selectors import assigned_enterprises, current_specialist_id
from tests.factories import (
    AdminFactory,
    AssignmentFactory,
    DispatcherFactory,
    HandlerFactory,
    SpecialistFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(db):
    return AdminFactory(display_name="系统管理员")


def assignments(enterprise):
    return list(
        SpecialistAssignment.objects.filter(enterprise=enterprise)
        .order_by("started_on")
        .values_list("specialist__display_name", "started_on", "ended_on")
    )


def test_an_administrator_assigns_the_first_specialist(enterprise, admin):
    person = SpecialistFactory(display_name="张建国")

    assignment = assign_specialist(
        enterprise=enterprise, specialist=person, actor=admin, started_on=date(2026, 1, 5)
    )

    assert (assignment.assigned_by, current_specialist_id(enterprise.pk)) == (admin, person.pk)


def test_a_new_specialist_takes_over_and_the_previous_assignment_is_kept_as_history(enterprise, admin):
    first, second = SpecialistFactory(display_name="张建国"), SpecialistFactory(display_name="刘秀英")
    assign_specialist(enterprise=enterprise, specialist=first, actor=admin, started_on=date(2025, 3, 1))

    assign_specialist(enterprise=enterprise, specialist=second, actor=admin, started_on=date(2026, 1, 5))

    assert assignments(enterprise) == [
        ("张建国", date(2025, 3, 1), date(2026, 1, 5)),
        ("刘秀英", date(2026, 1, 5), None),
    ]
    assert current_specialist_id(enterprise.pk) == second.pk


def test_the_previous_specialist_no_longer_sees_the_enterprise_among_his_own(enterprise, admin):
    first, second = SpecialistFactory(), SpecialistFactory()
    assign_specialist(enterprise=enterprise, specialist=first, actor=admin, started_on=date(2025, 3, 1))
    assign_specialist(enterprise=enterprise, specialist=second, actor=admin, started_on=date(2026, 1, 5))

    assert (list(assigned_enterprises(first)), list(assigned_enterprises(second))) == ([], [enterprise])


def test_assigning_the_current_specialist_again_changes_nothing(enterprise, admin):
    person = SpecialistFactory(display_name="张建国")
    assign_specialist(enterprise=enterprise, specialist=person, actor=admin, started_on=date(2025, 3, 1))

    assign_specialist(enterprise=enterprise, specialist=person, actor=admin, started_on=date(2026, 1, 5))

    assert assignments(enterprise) == [("张建国", date(2025, 3, 1), None)]


def test_only_an_administrator_may_assign_a_specialist(enterprise):
    AssignmentFactory(enterprise=enterprise, started_on=date(2025, 3, 1))
    before = assignments(enterprise)

    with pytest.raises(NotPermitted, match="只有系统管理员可以调整专员包联。"):
        assign_specialist(
            enterprise=enterprise,
            specialist=SpecialistFactory(),
            actor=DispatcherFactory(),
            started_on=date(2026, 1, 5),
        )

    assert assignments(enterprise) == before


def test_a_department_handler_cannot_be_made_a_specialist(enterprise, admin):
    with pytest.raises(InvalidInput, match="所选用户不是在岗的服务专员。"):
        assign_specialist(
            enterprise=enterprise, specialist=HandlerFactory(), actor=admin, started_on=date(2026, 1, 5)
        )

    assert assignments(enterprise) == []


def test_a_specialist_who_has_left_cannot_be_assigned(enterprise, admin):
    with pytest.raises(InvalidInput, match="所选用户不是在岗的服务专员。"):
        assign_specialist(
            enterprise=enterprise,
            specialist=SpecialistFactory(is_active=False),
            actor=admin,
            started_on=date(2026, 1, 5),
        )

    assert assignments(enterprise) == []


def test_a_takeover_cannot_start_before_the_current_assignment_began(enterprise, admin):
    AssignmentFactory(
        enterprise=enterprise,
        specialist=SpecialistFactory(display_name="张建国"),
        started_on=date(2025, 3, 1),
    )

    with pytest.raises(InvalidInput, match="新包联的开始日期不能早于现有包联的开始日期。"):
        assign_specialist(
            enterprise=enterprise, specialist=SpecialistFactory(), actor=admin, started_on=date(2025, 2, 1)
        )

    assert assignments(enterprise) == [("张建国", date(2025, 3, 1), None)]


def test_the_database_refuses_a_second_current_specialist(enterprise):
    AssignmentFactory(enterprise=enterprise)

    with pytest.raises(IntegrityError):
        AssignmentFactory(enterprise=enterprise)
