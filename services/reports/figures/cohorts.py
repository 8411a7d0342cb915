"""The sources: one query per cohort of the period, each giving raw counts per bucket."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import (
    Count,
    Exists,
    Expression,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.fields.json import KT
from django.db.models.functions import TruncDate

from services.accounts.models import Role, User
from services.enterprises.models import Enterprise, SpecialistAssignment
from services.issues import lifecycle as lc
from services.issues.models import (
    ExtensionRequest,
    ExtensionStatus,
    Issue,
    IssueEvent,
    IssueUnit,
    Satisfaction,
    Stage,
    StageClock,
    UnitRole,
)
from services.reports.figures.breakdowns import (
    bucket_key,
    clock_bucket,
    enterprise_bucket,
    group_by,
    in_period,
    issue_bucket,
    lead_unit_at,
    month_key,
    months_of,
)
from services.reports.figures.definitions import TOTAL, Breakdown, Scope, Tallies
from services.visits.coverage import default_scope, on_site_visits
from services.visits.models import Method, Visit
from services.workcalendar import calendar as workcalendar


def with_event_before(kinds: Iterable[str], moment: dt.datetime) -> QuerySet:
    """Ids of issues with such an event before ``moment``: an uncorrelated subquery (rare events, so the
    database hashes it once instead of probing the history for every issue)."""
    return IssueEvent.objects.filter(kind__in=list(kinds), created_at__lt=moment).values("issue_id")


def issues_open_at(scope: Scope, queryset: QuerySet[Issue]) -> tuple[QuerySet[Issue], Expression]:
    """Issues that may still be open at ``T``: their unit is the lead part active at ``T``."""
    unit = lead_unit_at(scope.as_of)
    if scope.unit_id is not None:
        queryset = queryset.annotate(lead_at_horizon=unit).filter(lead_at_horizon=scope.unit_id)
        unit = F("lead_at_horizon")
    return queryset, unit


def closed_issues(scope: Scope) -> QuerySet[Issue]:
    issues = Issue.objects.filter(in_period(scope, "closed_at"))
    if scope.unit_id is not None:
        issues = issues.filter(lead_unit_id=scope.unit_id)
    return issues


# ---------------------------------------------------------------- the sources

# Each counted source is a queryset, its bucket for the breakdown and named counts. The figures count them
# (``tally``) and the drill-down lists them (``services.reports.figures.drilldown``) from the same three
# things, so a list always has exactly as many rows as the number it stands behind.


@dataclass(frozen=True)
class Distinct:
    """Count distinct ``column`` (an id of ``model``) over the rows matching ``when``."""

    column: str
    model: type
    when: Q = field(default_factory=Q)


@dataclass(frozen=True)
class Source:
    name: str
    queryset: QuerySet
    bucket: Expression | None
    counts: dict[str, Q | Distinct]

    def aggregates(self) -> dict[str, Count]:
        return {
            name: (
                Count(rule.column, distinct=True, filter=rule.when or None)
                if isinstance(rule, Distinct)
                else Count("pk", filter=rule or None)
            )
            for name, rule in self.counts.items()
        }


def tally(scope: Scope, source: Source) -> Tallies:
    return group_by(scope, source.queryset, source.bucket, **source.aggregates())


def filed_source(scope: Scope) -> Source:
    issues, unit = issues_open_at(scope, Issue.objects.filter(in_period(scope, "created_at")))
    merged = with_event_before([lc.MERGE.name], scope.as_of)
    return Source("filed", issues, issue_bucket(scope, "created_at", unit), {"logged": ~Q(pk__in=merged)})


def accepted_source(scope: Scope) -> Source:
    issues, unit = issues_open_at(scope, Issue.objects.filter(in_period(scope, "accepted_at")))
    left = with_event_before([lc.WITHDRAW.name, lc.MERGE.name], scope.as_of)
    return Source(
        "accepted",
        issues,
        issue_bucket(scope, "accepted_at", unit),
        {"accepted": ~Q(pk__in=left), "accepted_closed": Q(closed_at__lt=scope.as_of)},
    )


def late_final_answers(scope: Scope) -> QuerySet:
    """Ids of issues closed in the period whose final answer (答复) came after its due time.

    The due time is the answer clock's own, moved only by extensions (延期) approved before the due time
    then in force: an extension decided after that moment leaves the breach standing, so the answer is late
    if it came after the ``old_due_at`` of such an extension. An uncorrelated subquery, hashed once.
    """
    answers = StageClock.objects.filter(stage=Stage.ANSWER, met_at__isnull=False)
    later = answers.filter(issue_id=OuterRef("issue_id"), met_at__gt=OuterRef("met_at"))
    approved_too_late = ExtensionRequest.objects.filter(
        clock_id=OuterRef("pk"),
        status=ExtensionStatus.APPROVED,
        decided_at__gt=F("old_due_at"),
        old_due_at__lt=OuterRef("met_at"),
    )
    return (
        answers.filter(in_period(scope, "issue__closed_at"))
        .exclude(Exists(later))
        .filter(Q(met_at__gt=F("due_at")) | Q(Exists(approved_too_late)))
        .values("issue_id")
    )


RATINGS = (lc.EVALUATE.name, lc.EVALUATE_DISSATISFIED.name)


def first_rating() -> Subquery:
    """The satisfaction of an issue's first rating (评价), from the history: a reopen clears the issue's
    own fields, the event keeps what the enterprise said."""
    first = (
        IssueEvent.objects.filter(issue_id=OuterRef("pk"), kind__in=RATINGS)
        .order_by("created_at", "pk")
        .annotate(said=KT("data__satisfaction"))
        .values("said")[:1]
    )
    return Subquery(first)


def closed_source(scope: Scope) -> Source:
    rated = Q(rated_at__isnull=False)
    first_rated = Q(first_rating__isnull=False)
    issues = closed_issues(scope).annotate(first_rating=first_rating())
    return Source(
        "closed",
        issues,
        issue_bucket(scope, "closed_at", F("lead_unit_id")),
        {
            "closed": Q(),
            "closed_on_time": ~Q(pk__in=late_final_answers(scope)),
            "rated": rated,
            "contacted": rated & Q(was_contacted=True),
            "solved": rated & Q(was_solved=True),
            "satisfied": rated & Q(satisfaction=Satisfaction.SATISFIED),
            "basic": rated & Q(satisfaction=Satisfaction.BASIC),
            "first_rated": first_rated,
            "first_satisfied": Q(first_rating=Satisfaction.SATISFIED),
            "first_basic": Q(first_rating=Satisfaction.BASIC),
            "reopened": Q(reopen_count__gt=0),
        },
    )


def filed_cohort(scope: Scope) -> Tallies:
    return tally(scope, filed_source(scope))


def accepted_cohort(scope: Scope) -> Tallies:
    return tally(scope, accepted_source(scope))


def closed_cohort(scope: Scope) -> Tallies:
    return tally(scope, closed_source(scope))


def handling_days_cohort(scope: Scope) -> Tallies:
    """Σ working days from acceptance to the final answer and to closure over the closed cohort, per
    bucket (three queries)."""
    issues = closed_issues(scope)
    bucket = issue_bucket(scope, "closed_at", F("lead_unit_id"))
    per_day: dict[str, list[tuple[Any, dt.date, int]]] = {}
    for name, when in (("accepted", "accepted_at"), ("answered", "responded_at"), ("closed", "closed_at")):
        counted = issues.annotate(day=TruncDate(when, tzinfo=scope.tz))
        if bucket is None:
            rows = counted.values("day").annotate(n=Count("pk")).order_by()
            per_day[name] = [(TOTAL, row["day"], row["n"]) for row in rows]
        else:
            rows = counted.annotate(bucket=bucket).values("bucket", "day").annotate(n=Count("pk")).order_by()
            per_day[name] = [(bucket_key(scope, row["bucket"]), row["day"], row["n"]) for row in rows]
    days = [day for rows in per_day.values() for _bucket, day, _n in rows if day is not None]
    if not days:
        return {}
    ruler = WorkingDayRuler(min(days), max(days))
    totals: dict[Any, dict[str, int]] = defaultdict(
        lambda: {"handling_days": 0, "answer_days": 0, "answered": 0}
    )
    for row_key, day, n in per_day["closed"]:
        totals[row_key]["handling_days"] += n * ruler.up_to(day)
    for row_key, day, n in per_day["answered"]:
        if day is not None:
            totals[row_key]["answer_days"] += n * ruler.up_to(day)
            totals[row_key]["answered"] += n
    for row_key, day, n in per_day["accepted"]:
        totals[row_key]["handling_days"] -= n * ruler.up_to(day)
    # Every closed issue was answered (an issue closes only after an answer), so the same acceptances are
    # subtracted; ``answered`` is the denominator of the answer average and equals ``closed``.
    for row_key, day, n in per_day["accepted"]:
        totals[row_key]["answer_days"] -= n * ruler.up_to(day)
    return {key: dict(values) for key, values in totals.items()}


class WorkingDayRuler:
    """``up_to(d)``: working days ``x`` with ``first < x <= d``, so ``up_to(b) − up_to(a)`` equals
    ``working_days_between(a, b)``. Every day is decided once by the working-day calendar itself
    (``days_between``: override, then the State Council's notice, then Monday–Friday), in one query.
    """

    def __init__(self, first: dt.date, last: dt.date) -> None:
        self._cumulative: dict[dt.date, int] = {first: 0}
        total = 0
        for info in workcalendar.days_between(first + dt.timedelta(days=1), last):
            total += int(info.is_working_day)
            self._cumulative[info.date] = total

    def up_to(self, day: dt.date) -> int:
        return self._cumulative[day]


def dispatch_source(scope: Scope) -> Source:
    clocks = StageClock.objects.filter(stage=Stage.SIGN).filter(in_period(scope, "started_at"))
    if scope.unit_id is not None:
        clocks = clocks.filter(unit_id=scope.unit_id)
    horizon = scope.as_of
    signed = Q(met_at__lt=horizon)
    cut_short = Q(met_at__isnull=True, stopped_at__lt=horizon, stopped_at__lte=F("due_at"))
    return Source(
        "dispatches",
        clocks,
        clock_bucket(scope, "started_at"),
        {
            "dispatched": Q(),
            "cut_short": cut_short,
            "signable": ~cut_short,
            "signed": signed,
            "signed_on_time": signed & Q(met_at__lte=F("due_at")),
        },
    )


def sent_back_source(scope: Scope) -> Source:
    """The lead unit's parts (one per dispatch, created with its sign clock) that ended in a send-back."""
    parts = IssueUnit.objects.filter(role=UnitRole.LEAD).filter(in_period(scope, "dispatched_at"))
    if scope.unit_id is not None:
        parts = parts.filter(unit_id=scope.unit_id)
    return Source(
        "sent_back",
        parts,
        clock_bucket(scope, "dispatched_at"),
        {"sent_back": Q(end_reason="sent_back", ended_at__lt=scope.as_of)},
    )


def overdue_source(scope: Scope) -> Source:
    """Stage clocks (not the enterprise's rating window) running at ``T`` past their due time, and the
    distinct problems they belong to."""
    horizon = scope.as_of
    clocks = StageClock.objects.exclude(stage=Stage.RATING).filter(due_at__lt=horizon)
    if scope.as_of_is_now:
        # Running now: the partial index on running clocks' due times answers this.
        clocks = clocks.filter(met_at__isnull=True, stopped_at__isnull=True)
    else:
        clocks = clocks.filter(
            Q(started_at__lt=horizon),
            Q(met_at__isnull=True) | Q(met_at__gte=horizon),
            Q(stopped_at__isnull=True) | Q(stopped_at__gte=horizon),
        )
    if scope.unit_id is not None:
        clocks = clocks.filter(unit_id=scope.unit_id)
    return Source(
        "overdue",
        clocks,
        clock_bucket(scope, "due_at"),
        {"overdue": Q(), "overdue_issues": Distinct("issue_id", Issue)},
    )


def dispatch_cohort(scope: Scope) -> Tallies:
    return tally(scope, dispatch_source(scope))


def sent_back_cohort(scope: Scope) -> Tallies:
    return tally(scope, sent_back_source(scope))


def overdue_clocks(scope: Scope) -> Tallies:
    return tally(scope, overdue_source(scope))


def visit_source(scope: Scope) -> Source:
    visits = Visit.objects.filter(in_period(scope, "visited_at"))
    counted = Q(method=Method.ON_SITE, enterprise__is_above_scale=True)
    return Source(
        "visits",
        visits,
        enterprise_bucket(scope, "enterprise__", "visited_at"),
        {
            "visits": Q(),
            "visiting_specialists": Distinct("specialist_id", User, counted),
            "visited_above_scale": Distinct("enterprise_id", Enterprise, counted),
            # On-site coverage's numerator: enterprises in scope (above-scale and active) visited on site in
            # the period — ``services.visits.coverage``'s definition, counted over the period's visits in
            # this same query instead of probing every enterprise in scope for a visit.
            "covered": Distinct("enterprise_id", Enterprise, counted & Q(enterprise__is_active=True)),
        },
    )


def visit_cohort(scope: Scope) -> Tallies:
    return tally(scope, visit_source(scope))


def assigned_during(first: dt.date, after_last: dt.date) -> Q:
    return Q(started_on__lt=after_last) & (Q(ended_on__isnull=True) | Q(ended_on__gt=first))


def specialist_cohort(scope: Scope) -> Tallies:
    period = scope.period

    def serving(first: dt.date, after_last: dt.date) -> Exists:
        return Exists(
            SpecialistAssignment.objects.filter(
                assigned_during(first, after_last), specialist_id=OuterRef("pk")
            )
        )

    specialists = User.objects.filter(role=Role.SPECIALIST)
    if scope.by is None:
        # Each specialist asked for one such assignment (an index probe each, a few thousand people) instead of
        # a distinct count over every enterprise's assignments.
        return {TOTAL: {"specialists": specialists.filter(serving(period.start, period.end)).count()}}
    if scope.by == Breakdown.MONTH:
        # A specialist serves many months: one filtered count per month, in one query.
        months = months_of(period)
        counts = specialists.aggregate(
            **{
                f"m{index}": Count("pk", filter=Q(serving(first, after)))
                for index, (first, after) in enumerate(months)
            }
        )
        return {
            month_key(first): {"specialists": counts[f"m{index}"]}
            for index, (first, _after) in enumerate(months)
        }
    assignments = SpecialistAssignment.objects.filter(specialist__role=Role.SPECIALIST).filter(
        assigned_during(period.start, period.end)
    )
    return group_by(
        scope,
        assignments,
        enterprise_bucket(scope, "enterprise__", "started_on"),
        specialists=Count("specialist_id", distinct=True),
    )


def coverage_cohort(scope: Scope, *, in_scope: int | None = None) -> Tallies:
    """On-site coverage's denominator, the enterprises in scope (its numerator comes with the visits).
    ``in_scope``: the count the period's totals just made, which every month shares."""
    if in_scope is None and scope.by in (None, Breakdown.MONTH):
        in_scope = default_scope().count()
    if scope.by is None:
        return {TOTAL: {"in_scope": in_scope}}
    if scope.by == Breakdown.MONTH:
        return {month_key(first): {"in_scope": in_scope} for first, _after in months_of(scope.period)}
    return group_by(scope, default_scope(), enterprise_bucket(scope, "", "created_at"), in_scope=Count("pk"))


def served_cohort(scope: Scope) -> Tallies:
    """Distinct enterprises over visits ∪ issues, per bucket: one query over a SQL UNION."""
    issues, unit = issues_open_at(scope, Issue.objects.filter(in_period(scope, "created_at")))
    issues = issues.exclude(pk__in=with_event_before([lc.MERGE.name], scope.as_of))
    parts = [(issues, issue_bucket(scope, "created_at", unit))]
    if scope.unit_id is None and scope.by not in (Breakdown.UNIT, Breakdown.CATEGORY):
        parts.append((on_site_visits(scope.period), enterprise_bucket(scope, "enterprise__", "visited_at")))
    grouped = scope.by is not None
    compiled, params = [], []
    for queryset, bucket in parts:
        columns = {"served_enterprise": F("enterprise_id")}
        if grouped:
            columns = {"bucket": bucket, **columns}
        part = queryset.annotate(**columns).values(*columns).order_by()
        sql, part_params = part.query.sql_with_params()
        compiled.append(f"({sql})" if connection.features.supports_parentheses_in_compound else sql)
        params.extend(part_params)
    union = " UNION ALL ".join(compiled)  # COUNT(DISTINCT …) removes the repeats once
    with connection.cursor() as cursor:
        if grouped:
            # DISTINCT: with one part (by unit or category) there is no UNION to remove repeats.
            cursor.execute(
                f'SELECT "bucket", COUNT(DISTINCT "served_enterprise") FROM ({union}) served GROUP BY "bucket"',
                params,
            )
            return {bucket_key(scope, bucket): {"served": n} for bucket, n in cursor.fetchall()}
        cursor.execute(f'SELECT COUNT(DISTINCT "served_enterprise") FROM ({union}) served', params)
        return {TOTAL: {"served": cursor.fetchone()[0]}}
