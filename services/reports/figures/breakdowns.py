"""Buckets: how each cohort is split by unit, category, town, park or month, and the rows' names."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import (
    Expression,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.utils.translation import gettext_lazy as _

from services.departments.models import Unit
from services.enterprises.models import Park, Town
from services.issues.models import (
    Category,
    IssueUnit,
    UnitRole,
)
from services.reports.figures.definitions import TOTAL, Breakdown, Scope, Tallies
from services.visits.coverage import Period

# ---------------------------------------------------------------- grouping helpers


def month_key(value: Any) -> str | None:
    if value is None:
        return None
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m")
    return str(value)[:7]  # SQLite hands back text


def bucket_key(scope: Scope, value: Any) -> Any:
    return month_key(value) if scope.by == Breakdown.MONTH else value


def group_by(scope: Scope, queryset: QuerySet, bucket: Expression | None, **aggregates) -> Tallies:
    """One query: ``aggregates`` over ``queryset``, per bucket (or in total when there is no breakdown)."""
    if bucket is None:
        return {TOTAL: queryset.aggregate(**aggregates)}
    rows = queryset.annotate(bucket=bucket).values("bucket").annotate(**aggregates).order_by()
    return {bucket_key(scope, row.pop("bucket")): row for row in rows}


def month_of(scope: Scope, field_name: str) -> Expression:
    return TruncMonth(field_name, tzinfo=scope.tz)


def level_one(prefix: str = "") -> Expression:
    return Coalesce(f"{prefix}category__parent_id", f"{prefix}category_id")


def lead_unit_at(moment: dt.datetime) -> Subquery:
    """The lead unit whose part was active at ``moment`` (for a closed issue: the unit that closed it)."""
    parts = (
        IssueUnit.objects.filter(issue_id=OuterRef("pk"), role=UnitRole.LEAD, dispatched_at__lt=moment)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gte=moment) | Q(end_reason="closed"))
        .order_by("-dispatched_at", "-pk")
        .values("unit_id")[:1]
    )
    return Subquery(parts)


def issue_bucket(scope: Scope, when: str, unit: Expression) -> Expression | None:
    if scope.by == Breakdown.UNIT:
        return unit
    if scope.by == Breakdown.CATEGORY:
        return level_one()
    if scope.by == Breakdown.CATEGORY_ID:
        return F("category_id")
    if scope.by in (Breakdown.TOWN, Breakdown.PARK):
        return F(f"enterprise__{scope.by}_id")
    if scope.by == Breakdown.MONTH:
        return month_of(scope, when)
    return None


def clock_bucket(scope: Scope, when: str) -> Expression | None:
    """For rows that carry their own unit and hang off an issue: clocks and unit parts."""
    if scope.by == Breakdown.UNIT:
        return F("unit_id")
    if scope.by == Breakdown.CATEGORY:
        return level_one("issue__")
    if scope.by == Breakdown.CATEGORY_ID:
        return F("issue__category_id")
    if scope.by in (Breakdown.TOWN, Breakdown.PARK):
        return F(f"issue__enterprise__{scope.by}_id")
    if scope.by == Breakdown.MONTH:
        return month_of(scope, when)
    return None


def enterprise_bucket(scope: Scope, prefix: str, when: str) -> Expression | None:
    """Town, park or month of rows that hang off an enterprise (visits, assignments, the scope itself)."""
    if scope.by in (Breakdown.TOWN, Breakdown.PARK):
        return F(f"{prefix}{scope.by}_id")
    if scope.by == Breakdown.MONTH:
        return month_of(scope, when)
    if scope.by is not None:
        raise ValueError(f"{scope.by} does not apply here")
    return None


def in_period(scope: Scope, field_name: str) -> Q:
    return Q(**{f"{field_name}__gte": scope.start, f"{field_name}__lt": scope.end})


# ---------------------------------------------------------------- rows and warnings


def months_of(period: Period) -> list[tuple[dt.date, dt.date]]:
    """Each calendar month meeting the period, clipped to it: (first day, day after the last)."""
    months = []
    first = period.start
    while first < period.end:
        following = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
        months.append((first, min(following, period.end)))
        first = following
    return months


ROW_NAMES = {
    Breakdown.UNIT: (Unit, "short_name", _("未派至承办单位")),
    Breakdown.CATEGORY: (Category, "name", _("未分类")),
    Breakdown.TOWN: (Town, "name", _("未设镇街")),
    Breakdown.PARK: (Park, "name", _("不在园区")),
}


def row_keys(scope: Scope, tallies: Tallies) -> list[tuple[Any, str]]:
    if scope.by == Breakdown.MONTH:
        keys = [month_key(first) for first, _after in months_of(scope.period)]
        return [(key, key) for key in keys]
    model, name_field, none_label = ROW_NAMES[scope.by]
    present = [key for key in tallies if key is not None]
    names = model.objects.filter(pk__in=present).values_list("pk", name_field)
    rows: list[tuple[Any, str]] = [(pk, name) for pk, name in names]  # in the model's own order
    if None in tallies:
        rows.append((None, str(none_label)))
    return rows
