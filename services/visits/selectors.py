from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from services.accounts import roles
from services.accounts.models import Role, User
from services.enterprises.models import Enterprise
from services.enterprises.selectors import assigned_enterprises
from services.issues.lifecycle import OPEN_STATUSES, Status
from services.issues.models import Issue
from services.visits.coverage import Period, visited_on_site
from services.visits.models import Method, Visit


def list_visits_for(actor: User) -> QuerySet[Visit]:
    visits = Visit.objects.select_related("enterprise", "specialist")
    if actor.role == Role.SPECIALIST:
        return visits.filter(specialist=actor)
    if actor.role == Role.ENTERPRISE:
        return visits.filter(enterprise_id=actor.enterprise_id)
    if roles.reads_whole_district(actor):
        return visits
    return visits.none()


def enterprise_cards_for(
    specialist: User, period: Period, *, search: str = "", due_only: bool = False
) -> QuerySet[Enterprise]:
    """The enterprises a specialist serves, as the "my enterprises" cards show them, in a fixed number of
    queries: last on-site visit, whether visited on site in ``period``, open problems, problems awaiting a
    rating (with those problems, for the follow-up call). Not yet visited this quarter first."""
    open_issues = (
        Issue.objects.filter(enterprise_id=OuterRef("pk"), status__in=OPEN_STATUSES)
        .order_by()
        .values("enterprise_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    last_on_site = (
        Visit.objects.filter(enterprise_id=OuterRef("pk"), method=Method.ON_SITE)
        .order_by("-visited_at")
        .values("visited_at")[:1]
    )
    awaiting = Issue.objects.filter(status=Status.RESPONDED).order_by("responded_at", "pk")
    cards = (
        assigned_enterprises(specialist)
        .filter(is_active=True)
        .select_related("town", "park")
        .annotate(
            open_issues=Coalesce(Subquery(open_issues), 0),
            last_on_site=Subquery(last_on_site),
            visited_this_quarter=visited_on_site(period),
        )
        .prefetch_related(Prefetch("issues", queryset=awaiting, to_attr="awaiting_rating"))
    )
    search = search.strip()[:50]
    if search:
        cards = cards.filter(
            Q(name__icontains=search)
            | Q(uscc__iexact=search)
            | Q(contact_name__icontains=search)
            | Q(town__name__icontains=search)
            | Q(park__name__icontains=search)
        )
    if due_only:
        cards = cards.filter(visited_this_quarter=False)
    return cards.order_by("visited_this_quarter", "name", "pk")
