"""Reads scoped to the actor. The list and the detail use the same scope, so "not yours" is "not found"."""

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404

from services.accounts.models import Role, User
from services.enterprises.models import SpecialistAssignment
from services.issues.models import ExtensionRequest, Issue, IssueEvent, IssueUnit, StageClock

DISTRICT_WIDE = (Role.DISPATCHER, Role.LEADER, Role.ADMIN)


def visible_issues(actor: User) -> QuerySet[Issue]:
    issues = Issue.objects.all()
    if not actor.is_authenticated or not actor.is_active:
        return issues.none()
    if actor.role in DISTRICT_WIDE or actor.is_superuser:
        return issues
    if actor.role == Role.ENTERPRISE:
        return issues.filter(enterprise_id=actor.enterprise_id)
    if actor.role == Role.SPECIALIST:
        serving = SpecialistAssignment.objects.filter(
            enterprise_id=OuterRef("enterprise_id"), specialist=actor, ended_on__isnull=True
        )
        return issues.filter(Q(Exists(serving)) | Q(filed_by=actor))
    if actor.is_unit_staff:
        # A unit keeps seeing what it once handled: it may be asked about it later.
        parts = IssueUnit.objects.filter(issue_id=OuterRef("pk"), unit_id=actor.unit_id)
        return issues.filter(Exists(parts))
    return issues.none()


def list_issues_for(actor: User) -> QuerySet[Issue]:
    return visible_issues(actor).select_related("enterprise", "category", "category__parent", "lead_unit")


def get_issue_for(*, actor: User, issue_id: int) -> Issue:
    try:
        return list_issues_for(actor).select_related("filed_by", "rated_by", "merged_into").get(pk=issue_id)
    except (Issue.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def events_of(issue: Issue) -> QuerySet[IssueEvent]:
    return issue.events.select_related("actor", "actor_unit").order_by("created_at", "pk")


def clocks_of(issue: Issue) -> QuerySet[StageClock]:
    return issue.clocks.select_related("unit").order_by("started_at", "pk")


def unit_inbox(actor: User) -> QuerySet[Issue]:
    """What the actor's unit must act on now, soonest due first."""
    if not actor.is_unit_staff:
        return Issue.objects.none()
    running = StageClock.objects.filter(
        issue_id=OuterRef("pk"), unit_id=actor.unit_id, met_at__isnull=True, stopped_at__isnull=True
    ).order_by("due_at")
    return (
        list_issues_for(actor)
        .filter(Exists(running))
        .annotate(next_due_at=Subquery(running.values("due_at")[:1]))
        .order_by("next_due_at", "pk")
    )


# ---------------------------------------------------------------- reads for the API (additive)


def _running_clocks_of_outer_issue() -> QuerySet[StageClock]:
    return StageClock.objects.filter(
        issue_id=OuterRef("pk"), met_at__isnull=True, stopped_at__isnull=True
    ).order_by("due_at")


def with_next_due(issues: QuerySet[Issue]) -> QuerySet[Issue]:
    """Annotate ``next_due_at``: the due time of the issue's soonest running clock (None when none runs)."""
    return issues.annotate(next_due_at=Subquery(_running_clocks_of_outer_issue().values("due_at")[:1]))


def overdue_condition(at) -> Exists:
    """True for an issue with a running clock already past its due time."""
    return Exists(
        StageClock.objects.filter(
            issue_id=OuterRef("pk"), met_at__isnull=True, stopped_at__isnull=True, due_at__lt=at
        )
    )


def get_issue_detail_for(*, actor: User, issue_id: int) -> Issue:
    """The detail view: the visible issue with its units, clocks, extensions and soonest due, in 4 queries.

    ``serving_specialist_id`` is annotated because who may rate an issue by phone depends on it.
    """
    serving = SpecialistAssignment.objects.filter(
        enterprise_id=OuterRef("enterprise_id"), ended_on__isnull=True
    ).values("specialist_id")[:1]
    issues = (
        with_next_due(list_issues_for(actor))
        .select_related("filed_by", "rated_by", "merged_into")
        .annotate(serving_specialist_id=Subquery(serving))
        .prefetch_related(
            Prefetch("unit_parts", IssueUnit.objects.select_related("unit").order_by("dispatched_at", "pk")),
            Prefetch("clocks", StageClock.objects.select_related("unit").order_by("started_at", "pk")),
            Prefetch("extensions", ExtensionRequest.objects.order_by("-requested_at", "-pk")),
        )
    )
    try:
        return issues.get(pk=issue_id)
    except (Issue.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
