"""The eight callers of the permission matrices, and the "other side" each one must not see.

Fixtures only; a test module loads them with ``pytest_plugins = ["tests.api.people"]``. The role names and
helpers are in ``tests.api.roles``.
"""

import pytest

from tests.factories import AssignmentFactory, SpecialistFactory


@pytest.fixture
def people(enterprise_user, specialist, handler, unit_head, dispatcher, leader, administrator):
    """Role name → user (None for anonymous). The enterprise user and the specialist share ``enterprise``."""
    return {
        "enterprise_user": enterprise_user,
        "specialist": specialist,
        "handler": handler,
        "unit_head": unit_head,
        "dispatcher": dispatcher,
        "leader": leader,
        "administrator": administrator,
        "anonymous": None,
    }


@pytest.fixture
def caller(client_for, people):
    """``caller("handler")``: an API client signed in as that role."""
    return lambda role: client_for(people[role])


@pytest.fixture
def other_enterprise(other_enterprise_user):
    """Another enterprise, served by another specialist: "other" for the enterprise user and specialist."""
    return other_enterprise_user.enterprise


@pytest.fixture
def other_specialist(other_enterprise):
    person = SpecialistFactory(display_name="罗专员")
    AssignmentFactory(enterprise=other_enterprise, specialist=person)
    return person
