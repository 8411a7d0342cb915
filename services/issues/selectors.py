"""Reads scoped to the actor. The list and the detail use the same scope, so "not yours" is "not found"."""

from datetime import UTC, datetime

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from services.accounts import roles
from services.accounts.models import Role, User
from services.departments.models import Unit
from services.enterprises.models import SpecialistAssignment
from services.issues.models import (
    ExtensionRequest,
    Issue,
    IssueAttachment,
    IssueEvent,
    IssueUnit,
    StageClock,
)


def visible_issues(actor: User) -> QuerySet[Issue]:
    issues = Issue.objects.all()
    if not actor.is_authenticated or not actor.is_active:
        return issues.none()
    if roles.reads_whole_district(actor):
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


def attachments_of(issue: Issue) -> QuerySet[IssueAttachment]:
    return issue.attachments.select_related("uploaded_by").order_by("uploaded_at", "pk")


def get_attachment_for(*, actor: User, issue_id: int, attachment_id: int) -> IssueAttachment:
    """An attachment of an issue the actor may see; 404 like the issue's own for anything else."""
    issue = get_issue_for(actor=actor, issue_id=issue_id)
    try:
        return issue.attachments.get(pk=attachment_id)
    except (IssueAttachment.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


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


# What the detail shows: the issue's own columns and the few it shows of each related row.
_DETAIL_COLUMNS = (
    *(field.name for field in Issue._meta.concrete_fields),
    "enterprise__name",
    "enterprise__uscc",
    "enterprise__rates_by_phone",
    "category__code",
    "category__name",
    "category__parent",
    "category__parent__name",
    "lead_unit__code",
    "lead_unit__name",
    "lead_unit__short_name",
    "filed_by__username",
    "filed_by__display_name",
    "filed_by__first_name",
    "filed_by__last_name",
    "merged_into__number",
)


def get_issue_detail_for(*, actor: User, issue_id: int) -> Issue:
    """The detail: the visible issue with its units, clocks, extensions and soonest due, in 3 queries (4 when
    it has extension requests).

    The related rows come as lists in ``part_list`` (by dispatch), ``clock_list`` (by start) and
    ``extension_list`` (newest first): three plain queries cost less than ``prefetch_related`` for one issue.
    ``next_due_at`` is the soonest running due among them, as ``with_next_due`` gives it.
    ``serving_specialist_id`` matters only to a specialist (who may record a rating taken by phone).
    Of the related rows only the columns the detail shows are read.
    """
    issues = (
        list_issues_for(actor)
        .select_related("filed_by", "merged_into")
        .only(*_DETAIL_COLUMNS)
        # Few issues ever see an extension request: the detail reads them only when there are some.
        .annotate(has_extensions=Exists(ExtensionRequest.objects.filter(issue_id=OuterRef("pk"))))
    )
    if actor.role == Role.SPECIALIST:
        serving = SpecialistAssignment.objects.filter(
            enterprise_id=OuterRef("enterprise_id"), ended_on__isnull=True
        ).values("specialist_id")[:1]
        issues = issues.annotate(serving_specialist_id=Subquery(serving))
    try:
        issue = issues.get(pk=issue_id)
    except (Issue.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if actor.role != Role.SPECIALIST:
        issue.serving_specialist_id = None
    issue.part_list = list(
        IssueUnit.objects.filter(issue_id=issue.pk).select_related("unit").order_by("dispatched_at", "pk")
    )
    issue.clock_list = list(StageClock.objects.filter(issue_id=issue.pk).order_by("started_at", "pk"))
    # A unit's clocks run while it has a part in the issue: its row came with the parts.
    units = {part.unit_id: part.unit for part in issue.part_list}
    missing = {c.unit_id for c in issue.clock_list if c.unit_id is not None and c.unit_id not in units}
    if missing:
        units.update(Unit.objects.in_bulk(missing))
    for stage_clock in issue.clock_list:
        if stage_clock.unit_id is not None:
            stage_clock.unit = units[stage_clock.unit_id]
    issue.extension_list = (
        list(ExtensionRequest.objects.filter(issue_id=issue.pk).order_by("-requested_at", "-pk"))
        if issue.has_extensions
        else []
    )
    issue.next_due_at = min(
        (stage_clock.due_at for stage_clock in issue.clock_list if stage_clock.is_running), default=None
    )
    return issue


# The hottest read of the API, written out: the ORM spent three times the query's own run time building and
# compiling it. It walks the unit's running clocks in due order (index ``clock_unit_running_due``) and keeps
# each issue's soonest one, so a page costs the same for a unit with a hundred open issues and for one with
# thousands. The order is ``unit_inbox``'s (tests/api/test_issues_filters.py holds the two together).
_INBOX_KEYS_SQL = """
SELECT clock.issue_id, clock.due_at
FROM {clocks} AS clock
WHERE clock.unit_id = %s AND clock.met_at IS NULL AND clock.stopped_at IS NULL{after}
  AND NOT EXISTS (
    SELECT 1 FROM {clocks} AS sooner
    WHERE sooner.issue_id = clock.issue_id AND sooner.unit_id = clock.unit_id
      AND sooner.met_at IS NULL AND sooner.stopped_at IS NULL
      AND (sooner.due_at < clock.due_at OR (sooner.due_at = clock.due_at AND sooner.id < clock.id))
  )
ORDER BY clock.due_at, clock.issue_id
LIMIT %s
"""
# ">=" alone is the index range; the rest drops the ties already shown.
_AFTER_SQL = "\n  AND clock.due_at >= %s AND (clock.due_at > %s OR clock.issue_id > %s)"


def unit_inbox_keys_sql(actor: User, *, after: tuple | None, limit: int) -> tuple[str, list]:
    """The statement and parameters of ``unit_inbox_keys`` (for it and for the benchmark's EXPLAIN)."""
    table = connection.ops.quote_name(StageClock._meta.db_table)
    params: list = [actor.unit_id]
    if after is not None:
        due = connection.ops.adapt_datetimefield_value(after[0])
        params += [due, due, after[1]]
    return _INBOX_KEYS_SQL.format(clocks=table, after=_AFTER_SQL if after else ""), [*params, limit]


def unit_inbox_keys(actor: User, *, after: tuple | None, limit: int) -> list[tuple[int, datetime]]:
    """The next ``limit`` entries of the actor's unit inbox as ``(issue id, soonest due)``, after ``after``
    (a ``(due, issue id)``)."""
    if not actor.is_unit_staff:
        return []
    sql, params = unit_inbox_keys_sql(actor, after=after, limit=limit)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    # PostgreSQL gives aware datetimes; SQLite naive ones in UTC.
    return [(issue_id, due if timezone.is_aware(due) else due.replace(tzinfo=UTC)) for issue_id, due in rows]
