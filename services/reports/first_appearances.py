"""The distinct counts of the open period as roll-ups: first appearances per day.

A distinct count does not add up over days (an enterprise visited in March and in May is one enterprise of the
year), but its *first* appearance does: the enterprises visited in 2026 are exactly those whose first visit of
2026 fell on one of its days. So for each day, and for each of the day's calendar year, quarter and month, the
roll-ups keep how many enterprises (specialists) appeared for the first time in that period on that day; a
calendar year, quarter or month (and a month breakdown) sums its days' rows. A custom range of days is not a
sum of firsts and stays on the live computation.

What appears, by the same definitions as ``figures.cohorts`` (whose querysets are used here):

* ``visited_above_scale`` / ``covered`` — an on-site visit to an enterprise that is above scale (and active);
* ``visiting_specialists`` — a specialist's on-site visit to an above-scale enterprise;
* ``served`` — an issue filed and not merged, or an on-site visit, of the enterprise; per unit, only its
  issues whose lead unit (at the horizon, now) is that unit;
* ``visits`` — every visit, a plain count.

A first appearance is a row with no earlier qualifying row of the same enterprise (specialist) since the period
began: ``NOT EXISTS`` probes of the ``visit_coverage`` and ``visit_specialist_method_time`` indexes and of the
issues' ``(enterprise, created_at)``, never a scan of the period.

What a change can move, and so which days are marked again (``services.reports.rollups``):

* an issue's event: the days of its enterprise's issues and on-site visits in the issue's filing year (a merge
  or a transfer moves the enterprise's first appearance between them);
* a visit logged: its day, its enterprise's days in that year, and its specialist's first qualifying day in
  each period containing it as it was without this visit;
* an enterprise made (not) above scale or (in)active: the days of its on-site visits, and for each specialist
  who visited it, that specialist's first qualifying day in each such period without this enterprise.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from django.db import connection
from django.db.models import Count, Exists, F, IntegerField, Min, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, TruncDate

from services.issues import lifecycle as lc
from services.issues.models import Issue, IssueEvent
from services.reports.figures.breakdowns import lead_unit_at
from services.reports.figures.definitions import Scope
from services.reports.models import FIRST_PERIODS, Grain
from services.visits.coverage import Period, quarter_of
from services.visits.models import Method, Visit

Counted = dict[tuple[str, dt.date, int], dict[str, int]]  # (grain, day, key) → counts, as in ``rollups``


def period_of(kind: str, day: dt.date) -> Period:
    if kind == "year":
        return Period.year(day.year)
    if kind == "quarter":
        return quarter_of(day)
    following = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return Period(day.replace(day=1), following)


def kind_of(period: Period) -> str | None:
    """``year``, ``quarter`` or ``month`` when ``period`` is exactly that calendar period, else None."""
    for kind in FIRST_PERIODS:
        if period_of(kind, period.start) == period:
            return kind
    return None


def periods_meeting(kind: str, first: dt.date, last: dt.date) -> Iterator[Period]:
    day = first
    while day <= last:
        period = period_of(kind, day)
        yield period
        day = period.end


# ---------------------------------------------------------------- what qualifies


def above_scale_on_site() -> QuerySet[Visit]:
    """Visits that make an enterprise visited on site and its specialist a visiting one (``visit_source``)."""
    return Visit.objects.filter(method=Method.ON_SITE, enterprise__is_above_scale=True)


def filed_not_merged(scope: Scope) -> QuerySet[Issue]:
    """The issues that make their enterprise served (``served_cohort``: not merged before the horizon), filed
    at any time. Asked of each issue's own history (an index probe) rather than as ``served_cohort``'s hashed
    list of merged issues: inside a probe for an enterprise's earlier issues, the list made the database hash
    the whole year's issues instead of reading the enterprise's few."""
    merged = IssueEvent.objects.filter(
        issue_id=OuterRef("pk"), kind=lc.MERGE.name, created_at__lt=scope.as_of
    )
    return Issue.objects.filter(~Exists(merged))


def _earlier(queryset: QuerySet, column: str, since: dt.datetime, when: str) -> Exists:
    """A row of ``queryset`` of the same ``column`` (enterprise or specialist) since ``since`` and strictly
    before the outer row's ``when``: the outer row is then not the first appearance (rows at the same moment
    are on the same day, and counted once by the distinct count)."""
    time_field = "visited_at" if queryset.model is Visit else "created_at"
    return Exists(
        queryset.filter(
            **{column: OuterRef(column), f"{time_field}__gte": since, f"{time_field}__lt": OuterRef(when)}
        )
    )


# ---------------------------------------------------------------- counting days


def count(scope: Scope, first: dt.date, last: dt.date) -> Counted:
    """The first appearances and visits of the days ``first``–``last`` (``scope``: the roll-ups' scope of
    those days, horizon now): 1 query for the visits and 3 per year, quarter and month meeting the days."""
    counted: Counted = defaultdict(dict)
    start, end = scope.start, scope.end
    day = TruncDate("visited_at", tzinfo=scope.tz)
    for row in (
        Visit.objects.filter(visited_at__gte=start, visited_at__lt=end)
        .annotate(tally_day=day)
        .values("tally_day")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        counted[(Grain.TOTAL, row["tally_day"], 0)]["visits"] = row["n"]
    for kind in FIRST_PERIODS:
        for period in periods_meeting(kind, first, last):
            since = period.bounds()[0]
            low = max(start, since)
            high = min(end, period.bounds()[1])
            for key, values in _visit_firsts(scope, kind, since, low, high).items():
                counted[key].update(values)
            for key, values in _served_firsts(scope, kind, since, low, high).items():
                counted[key].update(values)
            for key, values in _unit_served_firsts(scope, kind, since, low, high).items():
                counted[key].update(values)
    return dict(counted)


def _visit_firsts(scope: Scope, kind: str, since, low, high) -> Counted:
    qualifying = above_scale_on_site()
    new_enterprise = ~_earlier(qualifying, "enterprise_id", since, "visited_at")
    new_specialist = ~_earlier(qualifying, "specialist_id", since, "visited_at")
    rows = (
        qualifying.filter(visited_at__gte=low, visited_at__lt=high)
        .annotate(tally_day=TruncDate("visited_at", tzinfo=scope.tz))
        .values("tally_day")
        .annotate(
            above=Count("enterprise_id", distinct=True, filter=new_enterprise),
            covered=Count(
                "enterprise_id", distinct=True, filter=new_enterprise & Q(enterprise__is_active=True)
            ),
            specialists=Count("specialist_id", distinct=True, filter=new_specialist),
        )
        .order_by()
    )
    return {
        (Grain.TOTAL, row["tally_day"], 0): {
            f"visited_above_scale_first_in_{kind}": row["above"],
            f"covered_first_in_{kind}": row["covered"],
            f"visiting_specialists_first_in_{kind}": row["specialists"],
        }
        for row in rows
    }


def _served_firsts(scope: Scope, kind: str, since, low, high) -> Counted:
    """Enterprises whose first issue (not merged) or on-site visit of the period was that day: one query over a
    UNION ALL of both, as ``served_cohort``."""
    issues = filed_not_merged(scope)
    visits = Visit.objects.filter(method=Method.ON_SITE)  # ``on_site_visits``, any enterprise
    compiled, params = [], []
    for rows, when in ((issues, "created_at"), (visits, "visited_at")):
        first = rows.filter(**{f"{when}__gte": low, f"{when}__lt": high}).filter(
            ~_earlier(issues, "enterprise_id", since, when) & ~_earlier(visits, "enterprise_id", since, when)
        )
        part = (
            first.annotate(tally_day=TruncDate(when, tzinfo=scope.tz), served_enterprise=F("enterprise_id"))
            .values("tally_day", "served_enterprise")
            .order_by()
        )
        sql, part_params = part.query.sql_with_params()
        compiled.append(f"({sql})" if connection.features.supports_parentheses_in_compound else sql)
        params.extend(part_params)
    with connection.cursor() as cursor:
        cursor.execute(
            'SELECT "tally_day", COUNT(DISTINCT "served_enterprise") FROM ('
            + " UNION ALL ".join(compiled)
            + ') firsts GROUP BY "tally_day"',
            params,
        )
        found = cursor.fetchall()
    return {(Grain.TOTAL, _day(day), 0): {f"served_first_in_{kind}": n} for day, n in found}


def _unit_served_firsts(scope: Scope, kind: str, since, low, high) -> Counted:
    """Per unit: enterprises whose first issue (not merged) of the period led by that unit was that day. An
    issue with no lead unit at the horizon counts under 0 ("none"), as the unit breakdown's empty row."""
    issues = filed_not_merged(scope).annotate(
        lead=Coalesce(lead_unit_at(scope.as_of), Value(0), output_field=IntegerField())
    )
    earlier_same_unit = issues.filter(
        enterprise_id=OuterRef("enterprise_id"),
        lead=OuterRef("lead"),
        created_at__gte=since,
        created_at__lt=OuterRef("created_at"),
    )
    rows = (
        issues.filter(created_at__gte=low, created_at__lt=high)
        # A scalar subquery, not NOT EXISTS: the database would turn that into an anti join and work out the
        # lead unit of every issue of the year to hash them; this asks each of the day's issues about its own
        # enterprise's few (the issues' enterprise and filing time index).
        .alias(earlier=Subquery(earlier_same_unit.values("pk")[:1]))
        .filter(earlier__isnull=True)
        .annotate(tally_day=TruncDate("created_at", tzinfo=scope.tz))
        .values("tally_day", "lead")
        .annotate(n=Count("enterprise_id", distinct=True))
        .order_by()
    )
    return {
        (Grain.UNIT, row["tally_day"], row["lead"]): {f"served_first_in_{kind}": row["n"]} for row in rows
    }


def _day(value: Any) -> dt.date:
    """A day read back from raw SQL (SQLite gives text)."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


# ---------------------------------------------------------------- which days a change moves


def enterprise_days(enterprise_ids: Iterable[int], years: Iterable[int], tz) -> set[dt.date]:
    """The local days of the enterprises' issues and on-site visits in ``years``: where their first
    appearances of any period of those years can be (2 queries)."""
    ids, days = list(enterprise_ids), set()
    for year in set(years):
        start, end = Period.year(year).bounds()
        for model, when, extra in (
            (Issue, "created_at", Q()),
            (Visit, "visited_at", Q(method=Method.ON_SITE)),
        ):
            days |= set(
                model.objects.filter(
                    extra, enterprise_id__in=ids, **{f"{when}__gte": start, f"{when}__lt": end}
                )
                .annotate(local_day=TruncDate(when, tzinfo=tz))
                .values_list("local_day", flat=True)
                .distinct()
                .order_by()
            )
    return days


def specialist_first_days(specialist_id: int, days: Iterable[dt.date], without: Q, tz) -> set[dt.date]:
    """The specialist's first qualifying visit day, leaving out the visits ``without`` matches, in each year,
    quarter and month containing one of ``days`` (one query per such period)."""
    found = set()
    periods = {period_of(kind, day) for day in days for kind in FIRST_PERIODS}
    for period in periods:
        start, end = period.bounds()
        first = (
            above_scale_on_site()
            .filter(specialist_id=specialist_id, visited_at__gte=start, visited_at__lt=end)
            .exclude(without)
            .aggregate(first=Min("visited_at"))["first"]
        )
        if first is not None:
            found.add(first.astimezone(tz).date())
    return found
