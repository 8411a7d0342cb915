from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from services.accounts.models import Role, User
from services.core.errors import InvalidInput, NotPermitted
from services.enterprises.models import Enterprise, SpecialistAssignment


@transaction.atomic
def assign_specialist(
    *, enterprise: Enterprise, specialist: User, actor: User, started_on: date, note: str = ""
) -> SpecialistAssignment:
    """Make ``specialist`` the enterprise's one current specialist, ending the previous assignment."""
    if not actor.is_active or (actor.role != Role.ADMIN and not actor.is_superuser):
        raise NotPermitted(_("只有系统管理员可以调整专员包联。"))
    if specialist.role != Role.SPECIALIST or not specialist.is_active:
        raise InvalidInput({"specialist": [_("所选用户不是在岗的服务专员。")]})
    # Lock the enterprise row so two administrators cannot both create a "current" assignment.
    Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    current = SpecialistAssignment.objects.filter(enterprise=enterprise, ended_on__isnull=True).first()
    if current is not None:
        if current.specialist_id == specialist.pk:
            return current
        if started_on < current.started_on:
            raise InvalidInput({"started_on": [_("新包联的开始日期不能早于现有包联的开始日期。")]})
        current.ended_on = started_on
        current.save(update_fields=["ended_on"])
    return SpecialistAssignment.objects.create(
        enterprise=enterprise, specialist=specialist, started_on=started_on, assigned_by=actor, note=note
    )
