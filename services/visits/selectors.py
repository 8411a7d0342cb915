from django.db.models import QuerySet

from services.accounts import roles
from services.accounts.models import Role, User
from services.visits.models import Visit


def list_visits_for(actor: User) -> QuerySet[Visit]:
    visits = Visit.objects.select_related("enterprise", "specialist")
    if actor.role == Role.SPECIALIST:
        return visits.filter(specialist=actor)
    if actor.role == Role.ENTERPRISE:
        return visits.filter(enterprise_id=actor.enterprise_id)
    if roles.reads_whole_district(actor):
        return visits
    return visits.none()
