"""The list behind every number: for a raw count (``FigureSpec.parts``) and a row of a breakdown, the rows
it counted. Built from the very ``Source`` (queryset, bucket, filter) that ``cohorts`` counts, so a list
always has exactly as many rows as its number. Reads live data: for a closed period the page says so.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from services.accounts.models import Role, User
from services.enterprises.models import Enterprise, SpecialistAssignment
from services.issues import lifecycle as lc
from services.issues.models import Issue, IssueUnit, StageClock
from services.reports.figures import cohorts
from services.reports.figures.breakdowns import enterprise_bucket, issue_bucket, months_of
from services.reports.figures.compute import scope_of
from services.reports.figures.definitions import PART_LABELS, Breakdown, Scope
from services.visits.coverage import Period, default_scope, on_site_visits
from services.visits.models import Visit

ISSUE_SOURCES = {
    "logged": cohorts.filed_source,
    "accepted": cohorts.accepted_source,
    "accepted_closed": cohorts.accepted_source,
    "dispatched": cohorts.dispatch_source,
    "signable": cohorts.dispatch_source,
    "signed": cohorts.dispatch_source,
    "signed_on_time": cohorts.dispatch_source,
    "sent_back": cohorts.sent_back_source,
    "overdue": cohorts.overdue_source,
    "overdue_issues": cohorts.overdue_source,
    "visits": cohorts.visit_source,
    **{
        name: cohorts.closed_source
        for name in (
            "closed",
            "closed_on_time",
            "rated",
            "contacted",
            "solved",
            "satisfied",
            "basic",
            "first_rated",
            "first_satisfied",
            "first_basic",
            "reopened",
        )
    },
}
SPECIAL = ("served", "specialists", "covered", "in_scope")
PARTS = tuple(ISSUE_SOURCES) + SPECIAL


class Kinds:
    ISSUE = "issue"
    CLOCK = "clock"
    PART = "part"
    VISIT = "visit"
    ENTERPRISE = "enterprise"
    SPECIALIST = "specialist"


@dataclass(frozen=True)
class Drill:
    part: str
    kind: str  # which columns the list shows
    rows: QuerySet

    @property
    def label(self) -> str:
        return str(PART_LABELS[self.part])


_SELECT = {
    Kinds.ISSUE: ("enterprise", "category", "lead_unit"),
    Kinds.CLOCK: ("issue", "issue__enterprise", "unit"),
    Kinds.PART: ("issue", "issue__enterprise", "unit"),
    Kinds.VISIT: ("enterprise", "specialist"),
    Kinds.ENTERPRISE: ("town", "park"),
    Kinds.SPECIALIST: (),
}
_ORDER = {
    Kinds.ISSUE: ("created_at", "pk"),
    Kinds.CLOCK: ("due_at", "pk"),
    Kinds.PART: ("dispatched_at", "pk"),
    Kinds.VISIT: ("visited_at", "pk"),
    Kinds.ENTERPRISE: ("name", "pk"),
    Kinds.SPECIALIST: ("display_name", "pk"),
}


def _kind_of(model: type) -> str:
    return {
        Issue: Kinds.ISSUE,
        StageClock: Kinds.CLOCK,
        IssueUnit: Kinds.PART,
        Visit: Kinds.VISIT,
        Enterprise: Kinds.ENTERPRISE,
        User: Kinds.SPECIALIST,
    }[model]


def _month_start(scope: Scope, key: str) -> dt.datetime:
    year, month = (int(part) for part in key.split("-"))
    return dt.datetime(year, month, 1, tzinfo=scope.tz)


def _in_bucket(scope: Scope, queryset: QuerySet, bucket: Any, key: Any) -> QuerySet:
    if scope.by is None or bucket is None:
        return queryset
    if scope.by == Breakdown.MONTH:
        # The month bucket is TruncMonth(<moment>, Shanghai): the same rows as that moment's local month.
        moment = bucket.source_expressions[0].name
        first = _month_start(scope, key)
        following = _month_start(scope, f"{first.year + first.month // 12}-{first.month % 12 + 1}")
        return queryset.filter(**{f"{moment}__gte": first, f"{moment}__lt": following})
    queryset = queryset.annotate(drill_bucket=bucket)
    if key is None:
        return queryset.filter(drill_bucket__isnull=True)
    return queryset.filter(drill_bucket=key)


def _finish(part: str, model: type, rows: QuerySet) -> Drill:
    kind = _kind_of(model)
    return Drill(part, kind, rows.select_related(*_SELECT[kind]).order_by(*_ORDER[kind]))


def drill(
    period: Period, part: str, *, by: str | None = None, key: Any = None, unit_id: int | None = None
) -> Drill:
    """The rows counted by ``part`` in ``period`` (in the row ``key`` of breakdown ``by``, if given)."""
    if part not in PARTS:
        raise ValueError(f"unknown part {part!r}")
    if by is not None and by not in Breakdown.VALUES:
        raise ValueError(f"unknown breakdown {by!r}")
    scope = scope_of(period, unit_id=unit_id, by=by)
    if part in ISSUE_SOURCES:
        source = ISSUE_SOURCES[part](scope)
        rows = _in_bucket(scope, source.queryset, source.bucket, key)
        rule = source.counts[part]
        if isinstance(rule, cohorts.Distinct):
            ids = rows.filter(rule.when).values(rule.column)
            return _finish(part, rule.model, rule.model.objects.filter(pk__in=ids))
        return _finish(part, source.queryset.model, rows.filter(rule))
    return _special(scope, part, key)


def _special(scope: Scope, part: str, key: Any) -> Drill:
    if part == "served":
        issues, unit = cohorts.issues_open_at(
            scope, Issue.objects.filter(cohorts.in_period(scope, "created_at"))
        )
        issues = issues.exclude(pk__in=cohorts.with_event_before([lc.MERGE.name], scope.as_of))
        issues = _in_bucket(scope, issues, issue_bucket(scope, "created_at", unit), key)
        served = Q(pk__in=issues.values("enterprise_id"))
        if scope.unit_id is None and scope.by not in (Breakdown.UNIT, Breakdown.CATEGORY):
            visits = on_site_visits(scope.period)
            visits = _in_bucket(scope, visits, enterprise_bucket(scope, "enterprise__", "visited_at"), key)
            served |= Q(pk__in=visits.values("enterprise_id"))
        return _finish(part, Enterprise, Enterprise.objects.filter(served))
    if part == "specialists":
        period = scope.period
        first, after = period.start, period.end
        if scope.by == Breakdown.MONTH and key is not None:
            first, after = next((a, b) for a, b in months_of(period) if f"{a:%Y-%m}" == key)
        assignments = SpecialistAssignment.objects.filter(specialist__role=Role.SPECIALIST).filter(
            cohorts.assigned_during(first, after)
        )
        if scope.by in (Breakdown.TOWN, Breakdown.PARK):
            assignments = _in_bucket(
                scope, assignments, enterprise_bucket(scope, "enterprise__", "started_on"), key
            )
        return _finish(part, User, User.objects.filter(pk__in=assignments.values("specialist_id")))
    # covered / in_scope: enterprises in scope, by their own town or park; by month, visited that month.
    scope_rows = default_scope()
    if scope.by in (Breakdown.TOWN, Breakdown.PARK):
        scope_rows = _in_bucket(scope, scope_rows, enterprise_bucket(scope, "", "created_at"), key)
    if part == "in_scope":
        return _finish(part, Enterprise, scope_rows)
    visits = on_site_visits(scope.period)
    if scope.by == Breakdown.MONTH and key is not None:
        visits = _in_bucket(scope, visits, enterprise_bucket(scope, "enterprise__", "visited_at"), key)
    covered = scope_rows.filter(Exists(visits.filter(enterprise_id=OuterRef("pk"))))
    return _finish(part, Enterprise, covered)
