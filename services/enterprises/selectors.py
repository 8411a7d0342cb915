from django.db.models import QuerySet

from services.accounts.models import Role, User
from services.enterprises.models import Enterprise, SpecialistAssignment


def current_specialist_id(enterprise_id: int) -> int | None:
    return (
        SpecialistAssignment.objects.filter(enterprise_id=enterprise_id, ended_on__isnull=True)
        .values_list("specialist_id", flat=True)
        .first()
    )


def assigned_enterprises(specialist: User) -> QuerySet[Enterprise]:
    return Enterprise.objects.filter(assignments__specialist=specialist, assignments__ended_on__isnull=True)


def list_enterprises_for(actor: User) -> QuerySet[Enterprise]:
    """Enterprises the actor may see: its own, its assigned ones, or all for district-wide roles."""
    if actor.role == Role.ENTERPRISE:
        return Enterprise.objects.filter(pk=actor.enterprise_id)
    if actor.role == Role.SPECIALIST:
        return assigned_enterprises(actor)
    if actor.role in (Role.DISPATCHER, Role.LEADER, Role.ADMIN, Role.HANDLER, Role.UNIT_HEAD):
        return Enterprise.objects.all()
    return Enterprise.objects.none()
