"""Roll-ups of the open period (DESIGN §8): the issue and dispatch cohorts' raw counts kept per day.

A period that has not ended (its horizon ``T`` is now) sums ``DayTally`` rows instead of rescanning a year of
issues, clocks and parts: the totals from the day's ``total`` rows, a unit's figures and the unit breakdown
from its ``unit`` rows, the category breakdown from the ``category`` rows (the issue's own category, grouped
to level 1 when read, so moving a category under another parent needs no recount), the month breakdown from
the ``total`` rows by month. The distinct counts — enterprises served, visited on site and covered, visiting
specialists — are kept as first appearances (``services.reports.first_appearances``) and read for a calendar
year, quarter or month, in total, by month, by unit or for one unit. Overdue clocks, specialists with
assignments, enterprises in scope, custom ranges' distinct counts and the town and park breakdowns (an
enterprise's town and park change with no recount) stay on the live computation. Each month's day rows are
also kept summed (``MonthTally``, written with them), and a period of whole months reads those.

How a day's rows are counted
    ``count_days`` runs the same sources as the live computation (``figures.cohorts``: the same querysets,
    conditions and working-day arithmetic) over a span of days with the horizon now, grouped by each row's
    own local day. So a day's rows are by construction what the live computation gives for that day, and the
    sum over a period's days is what it gives for the period: each cohort is partitioned by its own
    timestamp (filed, accepted, closed, dispatched), and the handling days are sums of differences of the
    cumulative working-day count.

How they are kept current
    Every event of an issue goes through ``services.issues.actions._record``; its listener (registered in
    ``ReportsConfig.ready``) marks, on commit, the days the issue belongs to as ``StaleDay`` rows — its
    filing, acceptance and closure days and the days its lead parts and sign clocks started (an issue's days
    only grow: no action clears those timestamps) and the days where its enterprise's first appearances of
    that year can be — and queues ``reports.refresh_rollups``, which counts those days again. A visit logged
    (``services.visits.actions.on_visit_logged``) and an enterprise made (not) above scale or (in)active
    (the model's ``pre_save``/``post_save``: the admin edits enterprises directly) mark the days whose first
    appearances they can move, in the same way. A change of the working calendar marks every day from the
    first changed one to today (closures after it may have a different number of working days). The beat
    runs the same refresh every minute, so a day marked while the broker was down is counted then.
    ``manage.py verify_rollups`` recounts a year from the base tables, reports any difference and, with
    ``--rebuild``, writes the recount; the roll-ups are read only from the first day a rebuild covered
    (``RollupState``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone

from services.core import clock
from services.reports import first_appearances
from services.reports.figures import cohorts
from services.reports.figures.breakdowns import bucket_key, issue_bucket
from services.reports.figures.definitions import TOTAL, Breakdown, Scope, Tallies
from services.reports.models import (
    DISTINCT_NAMES,
    ROLLUP_COUNTS,
    TALLY_COUNTS,
    DayTally,
    Grain,
    MonthTally,
    RollupState,
    StaleDay,
)
from services.visits.coverage import Period

GRAIN_BY = {Grain.TOTAL: None, Grain.UNIT: Breakdown.UNIT, Grain.CATEGORY: Breakdown.CATEGORY_ID}
# The timestamp that puts each source's rows in a day: the one its period filter reads.
DAY_OF = {
    "filed": "created_at",
    "accepted": "accepted_at",
    "closed": "closed_at",
    "dispatches": "started_at",
    "sent_back": "dispatched_at",
}
SOURCES = (
    cohorts.filed_source,
    cohorts.accepted_source,
    cohorts.closed_source,
    cohorts.dispatch_source,
    cohorts.sent_back_source,
)

Counted = dict[tuple[str, dt.date, int], dict[str, int]]  # (grain, day, key) → raw counts


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _scope(first: dt.date, last: dt.date, by: str | None, now: dt.datetime) -> Scope:
    period = Period(first, last + dt.timedelta(days=1))
    start, end = period.bounds()
    return Scope(
        period=period, start=start, end=end, as_of=now, as_of_is_now=True, by=by, unit_id=None, tz=_zone()
    )


def _key(value: Any) -> int:
    return 0 if value is None else int(value)


# ---------------------------------------------------------------- counting days from the base tables


def count_days(first: dt.date, last: dt.date, *, now: dt.datetime | None = None) -> Counted:
    """The roll-up rows of the days ``first``–``last`` as the base tables give them now (11 queries a grain,
    and the first appearances': 1 + 3 for each year, quarter and month meeting the days)."""
    now = now or clock.now()
    counted: Counted = defaultdict(dict)
    for grain, by in GRAIN_BY.items():
        scope = _scope(first, last, by, now)
        for make in SOURCES:
            source = make(scope)
            columns = {"tally_day": TruncDate(DAY_OF[source.name], tzinfo=scope.tz)}
            if source.bucket is not None:
                columns["bucket"] = source.bucket
            rows = (
                source.queryset.annotate(**columns)
                .values(*columns)
                .annotate(**source.aggregates())
                .order_by()
            )
            for row in rows:
                key = (grain, row.pop("tally_day"), _key(row.pop("bucket", None)))
                counted[key].update(row)
        for key, values in _handling_days(scope, grain).items():
            counted[key].update(values)
    for key, values in first_appearances.count(_scope(first, last, None, now), first, last).items():
        counted[key].update(values)
    return dict(counted)


def _handling_days(scope: Scope, grain: str) -> Counted:
    """Σ working days acceptance → final answer and acceptance → closure of the issues closed each day:
    ``Σ W(closed) − Σ W(accepted)`` with ``W`` the cumulative working-day count (as ``handling_days_cohort``)."""
    columns: dict[str, Any] = {"closed_day": TruncDate("closed_at", tzinfo=scope.tz)}
    bucket = issue_bucket(scope, "closed_at", F("lead_unit_id"))
    if bucket is not None:
        columns["bucket"] = bucket
    issues = cohorts.closed_issues(scope).annotate(**columns)
    pairs = {}
    for name, when in (("accepted", "accepted_at"), ("answered", "responded_at")):
        rows = (
            issues.annotate(other_day=TruncDate(when, tzinfo=scope.tz))
            .values(*columns, "other_day")
            .annotate(n=Count("pk"))
            .order_by()
        )
        pairs[name] = [(row.get("bucket"), row["closed_day"], row["other_day"], row["n"]) for row in rows]
    days = [
        day for rows in pairs.values() for _b, closed, other, _n in rows for day in (closed, other) if day
    ]
    if not days:
        return {}
    ruler = cohorts.WorkingDayRuler(min(days), max(days))
    totals: Counted = defaultdict(lambda: {"handling_days": 0, "answer_days": 0, "answered": 0})
    for bucket_value, closed, accepted, n in pairs["accepted"]:
        row = totals[(grain, closed, _key(bucket_value))]
        row["handling_days"] += n * (ruler.up_to(closed) - ruler.up_to(accepted))
        row["answer_days"] -= n * ruler.up_to(accepted)
    for bucket_value, closed, answered, n in pairs["answered"]:
        if answered is not None:
            row = totals[(grain, closed, _key(bucket_value))]
            row["answer_days"] += n * ruler.up_to(answered)
            row["answered"] += n
    return dict(totals)


def stored_days(first: dt.date, last: dt.date) -> Counted:
    rows = DayTally.objects.filter(day__gte=first, day__lte=last).values("grain", "day", "key", *TALLY_COUNTS)
    return {(row.pop("grain"), row.pop("day"), row.pop("key")): row for row in rows}


def _full(values: dict[str, int], names: Iterable[str] = TALLY_COUNTS) -> dict[str, int]:
    return {name: values.get(name) or 0 for name in names}


def write_days(first: dt.date, last: dt.date, counted: Counted, *, now: dt.datetime) -> None:
    """Replace the rows of ``first``–``last`` with ``counted``, and the month rows of their months."""
    DayTally.objects.filter(day__gte=first, day__lte=last).delete()
    DayTally.objects.bulk_create(
        (
            DayTally(grain=grain, day=day, key=key, counted_at=now, **_full(values))
            for (grain, day, key), values in counted.items()
        ),
        batch_size=2000,
    )
    write_months(first, last, now=now)


def _months_meeting(first: dt.date, last: dt.date) -> tuple[dt.date, dt.date]:
    """The first day of ``first``'s month and the day after ``last``'s month."""
    return first.replace(day=1), first_appearances.period_of("month", last).end


def summed_months(first: dt.date, last: dt.date) -> dict[tuple[str, dt.date, int], dict[str, int]]:
    """The sums of the stored day rows of the months meeting ``first``–``last`` (one query)."""
    start, end = _months_meeting(first, last)
    rows = (
        DayTally.objects.filter(day__gte=start, day__lt=end)
        .annotate(month=TruncMonth("day"))
        .values("grain", "month", "key")
        .annotate(**{name: Sum(name) for name in TALLY_COUNTS})
        .order_by()
    )
    return {(row.pop("grain"), _as_date(row.pop("month")), row.pop("key")): _full(row) for row in rows}


def _as_date(value: Any) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def write_months(first: dt.date, last: dt.date, *, now: dt.datetime) -> None:
    """Replace the month rows of the months meeting ``first``–``last`` with the sums of their day rows."""
    start, end = _months_meeting(first, last)
    summed = summed_months(first, last)
    MonthTally.objects.filter(month__gte=start, month__lt=end).delete()
    MonthTally.objects.bulk_create(
        (
            MonthTally(grain=grain, month=month, key=key, counted_at=now, **values)
            for (grain, month, key), values in summed.items()
        ),
        batch_size=2000,
    )


def stored_months(first: dt.date, last: dt.date) -> dict[tuple[str, dt.date, int], dict[str, int]]:
    start, end = _months_meeting(first, last)
    rows = MonthTally.objects.filter(month__gte=start, month__lt=end).values(
        "grain", "month", "key", *TALLY_COUNTS
    )
    return {(row.pop("grain"), row.pop("month"), row.pop("key")): row for row in rows}


@dataclass(frozen=True)
class Difference:
    grain: str
    day: dt.date
    key: int
    count: str
    stored: int | None  # None: no row
    recounted: int | None


def compare(stored: Counted, recounted: Counted) -> list[Difference]:
    """Every count that differs, a missing row counting as ``None``."""
    found = []
    for row in sorted(set(stored) | set(recounted), key=lambda k: (k[1], k[0], k[2])):
        before = _full(stored[row]) if row in stored else None
        after = _full(recounted[row]) if row in recounted else None
        for name in TALLY_COUNTS:
            old = None if before is None else before[name]
            new = None if after is None else after[name]
            if old != new:
                found.append(Difference(row[0], row[1], row[2], name, old, new))
    return found


def spans(days: Iterable[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """Runs of consecutive days, each counted in one pass."""
    runs: list[list[dt.date]] = []
    for day in sorted(set(days)):
        if runs and day - runs[-1][1] <= dt.timedelta(days=1):
            runs[-1][1] = day
        else:
            runs.append([day, day])
    return [(first, last) for first, last in runs]


def recount(days: Iterable[dt.date]) -> int:
    """Count ``days`` again from the base tables, one refresh at a time (the state row is the lock)."""
    days = sorted(set(days))
    if not days:
        return 0
    with transaction.atomic():
        state = RollupState.objects.select_for_update().first()
        if state is None:
            return 0
        days = [day for day in days if state.first_day <= day]
        for first, last in spans(days):
            now = clock.now()
            write_days(first, last, count_days(first, last, now=now), now=now)
    return len(days)


def rebuild(first: dt.date, last: dt.date) -> int:
    """Count ``first``–``last`` from the base tables and read roll-ups from ``first`` on."""
    with transaction.atomic():
        state = RollupState.objects.select_for_update().first()
        now = clock.now()
        counted = count_days(first, last, now=now)
        write_days(first, last, counted, now=now)
        if state is None:
            RollupState.objects.create(first_day=first, built_at=now)
        elif first < state.first_day:
            state.first_day, state.built_at = first, now
            state.save(update_fields=["first_day", "built_at"])
    return len(counted)


# ---------------------------------------------------------------- keeping them current


def issue_days(issue_ids: Iterable[int]) -> set[dt.date]:
    """The local days of the cohorts the issues belong to (2 queries)."""
    from services.issues.models import Issue, IssueUnit, Stage, StageClock, UnitRole

    ids = list(issue_ids)
    moments: list[dt.datetime | None] = []
    for created, accepted, closed in Issue.objects.filter(pk__in=ids).values_list(
        "created_at", "accepted_at", "closed_at"
    ):
        moments += [created, accepted, closed]
    starts = StageClock.objects.filter(issue_id__in=ids, stage=Stage.SIGN).values_list(
        "started_at", flat=True
    )
    parts = IssueUnit.objects.filter(issue_id__in=ids, role=UnitRole.LEAD).values_list(
        "dispatched_at", flat=True
    )
    # Without the models' default ordering: SQLite refuses ORDER BY inside a compound statement.
    moments += list(starts.order_by().union(parts.order_by(), all=True))
    zone = _zone()
    return {moment.astimezone(zone).date() for moment in moments if moment is not None}


def mark(days: Iterable[dt.date]) -> None:
    now = clock.now()
    StaleDay.objects.bulk_create(
        (StaleDay(day=day, marked_at=now) for day in set(days)), ignore_conflicts=True
    )


def _queue_refresh() -> None:
    from services.reports.tasks import refresh_rollups_task

    try:
        refresh_rollups_task.delay()
    except Exception:  # the broker being down must not fail the request: the beat's refresh counts them
        import logging

        logging.getLogger(__name__).warning("could not queue the roll-up refresh", exc_info=True)


def _mark_issue(issue_id: int) -> None:
    from services.issues.models import Issue

    days = issue_days([issue_id])
    filed = Issue.objects.filter(pk=issue_id).values_list("enterprise_id", "created_at").first()
    if filed is not None:  # its enterprise's first appearances in the year it was filed may move
        enterprise_id, created = filed
        days |= first_appearances.enterprise_days(
            [enterprise_id], [created.astimezone(_zone()).year], _zone()
        )
    mark(days)
    _queue_refresh()


def event_recorded(*, issue_id: int, kind: str) -> None:
    """Listener of every issue event (``services.issues.actions.on_event_recorded``): on commit, mark the
    issue's days and queue the refresh."""
    transaction.on_commit(partial(_mark_issue, issue_id))


def _mark_visit(visit_id: int) -> None:
    from services.visits.models import Visit

    visit = Visit.objects.filter(pk=visit_id).values("enterprise_id", "specialist_id", "visited_at").first()
    if visit is None:
        return
    zone = _zone()
    day = visit["visited_at"].astimezone(zone).date()
    days = {day} | first_appearances.enterprise_days([visit["enterprise_id"]], [day.year], zone)
    # The specialist's first visit of the day's year, quarter and month as it was before this one.
    days |= first_appearances.specialist_first_days(visit["specialist_id"], [day], Q(pk=visit_id), zone)
    mark(days)
    _queue_refresh()


def visit_logged(*, visit_id: int) -> None:
    """Listener of ``services.visits.actions.log_visit``: on commit, mark the days the visit can move."""
    transaction.on_commit(partial(_mark_visit, visit_id))


def enterprise_changed(*, enterprise_id: int, before: dict[str, Any], after: dict[str, Any]) -> None:
    """An enterprise made (not) above scale or (in)active: every first appearance it took part in may move.
    Called inside the edit's transaction, with its fields before and after; marks on commit."""
    if before == after:
        return
    transaction.on_commit(partial(_mark_enterprise, enterprise_id))


# What an enterprise's first appearances depend on besides its issues and visits.
ENTERPRISE_FIELDS = ("is_above_scale", "is_active")


def enterprise_saving(sender, instance, **kwargs) -> None:
    """``pre_save`` of an enterprise: keep what it was, to compare after the save."""
    before = None
    if instance.pk is not None:
        before = type(instance).objects.filter(pk=instance.pk).values(*ENTERPRISE_FIELDS).first()
    instance._rollup_fields_before = before


def enterprise_saved(sender, instance, created: bool, **kwargs) -> None:
    before = getattr(instance, "_rollup_fields_before", None)
    if created or before is None:
        return  # a new enterprise has no visits or issues yet
    after = {name: getattr(instance, name) for name in ENTERPRISE_FIELDS}
    enterprise_changed(enterprise_id=instance.pk, before=before, after=after)


def _mark_enterprise(enterprise_id: int) -> None:
    from services.visits.models import Method, Visit

    state = RollupState.objects.first()
    if state is None:
        return
    zone = _zone()
    start = dt.datetime.combine(state.first_day, dt.time.min, zone)
    visits = Visit.objects.filter(enterprise_id=enterprise_id, method=Method.ON_SITE, visited_at__gte=start)
    by_specialist: dict[int, set[dt.date]] = defaultdict(set)
    for specialist_id, visited_at in visits.values_list("specialist_id", "visited_at").order_by():
        by_specialist[specialist_id].add(visited_at.astimezone(zone).date())
    days = {day for specialist_days in by_specialist.values() for day in specialist_days}
    for specialist_id, specialist_days in by_specialist.items():
        # Where the specialist's first visit is when this enterprise's visits count, and when they do not.
        days |= first_appearances.specialist_first_days(
            specialist_id, specialist_days, Q(enterprise_id=enterprise_id), zone
        )
    mark(days)
    _queue_refresh()


def calendar_changed(*, first: dt.date, last: dt.date, **_ignored) -> None:
    """Listener of calendar edits (inside the edit's transaction): every day from ``first`` to today."""
    state = RollupState.objects.first()
    if state is None:
        return
    today = timezone.localdate(clock.now())
    start = max(first, state.first_day)
    mark(start + dt.timedelta(days=n) for n in range((today - start).days + 1))
    transaction.on_commit(_queue_refresh)


def refresh() -> int:
    """Take the marked days and count them again. A day marked while this runs is marked anew and counted
    by the next refresh."""
    with transaction.atomic():
        days = list(StaleDay.objects.select_for_update().values_list("day", flat=True))
        StaleDay.objects.filter(day__in=days).delete()
    try:
        return recount(days)
    except Exception:
        mark(days)  # counted by the next refresh
        raise


# ---------------------------------------------------------------- reading them


def applies(scope: Scope) -> bool:
    """Whether the issue and dispatch counts of ``scope`` can be read from the roll-ups."""
    if not scope.as_of_is_now or scope.by not in (None, Breakdown.UNIT, Breakdown.CATEGORY, Breakdown.MONTH):
        return False
    if scope.unit_id is not None and scope.by == Breakdown.CATEGORY:
        return False  # a unit's categories: not kept
    state = RollupState.objects.first()
    return state is not None and state.first_day <= scope.period.start


def issue_tallies(scope: Scope, *, firsts: str | None = None) -> Tallies:
    """The issue and dispatch sources' counts of ``scope`` from the roll-ups, and with ``firsts`` (what
    ``first_kind`` said) its distinct counts too (``first_sums``): one query."""
    period = scope.period
    if period.start.day == 1 and period.end.day == 1:
        # Whole months: their month rows, the same sums over a dozen rows per key instead of some 365.
        rows, month = MonthTally.objects.filter(month__gte=period.start, month__lt=period.end), F("month")
    else:
        rows = DayTally.objects.filter(day__gte=period.start, day__lt=period.end)
        month = TruncMonth("day")
    if scope.unit_id is not None:
        rows = rows.filter(grain=Grain.UNIT, key=scope.unit_id)
    elif scope.by == Breakdown.UNIT:
        rows = rows.filter(grain=Grain.UNIT)
    elif scope.by == Breakdown.CATEGORY:
        rows = rows.filter(grain=Grain.CATEGORY)
    else:
        rows = rows.filter(grain=Grain.TOTAL)
    sums = {name: Sum(name) for name in ROLLUP_COUNTS} | first_sums(scope, firsts)
    names = list(sums)
    if scope.by is None:
        return {TOTAL: _full(rows.aggregate(**sums), names)}
    if scope.by == Breakdown.MONTH:
        grouped = rows.annotate(bucket=month).values("bucket").annotate(**sums).order_by()
        return {bucket_key(scope, row.pop("bucket")): _full(row, names) for row in grouped}
    grouped = rows.values("key").annotate(**sums).order_by()
    tallies = {(row["key"] or None): _full(row, names) for row in grouped}
    return _level_one(tallies) if scope.by == Breakdown.CATEGORY else tallies


def _level_one(tallies: Tallies) -> Tallies:
    """Add each category's counts into its level-1 category (one query for the categories' parents)."""
    from services.issues.models import Category

    parents = dict(Category.objects.filter(pk__in=[k for k in tallies if k]).values_list("pk", "parent_id"))
    merged: Tallies = {}
    for key, counts in tallies.items():
        top = None if key is None else (parents.get(key) or key)
        into = merged.setdefault(top, {name: 0 for name in ROLLUP_COUNTS})
        for name in ROLLUP_COUNTS:
            into[name] += counts[name]
    return merged


def first_kind(scope: Scope, *, covered: bool | None = None) -> str | None:
    """Which first appearances (``year``, ``quarter``, ``month``) give ``scope``'s distinct counts, or None
    when they are computed live: a period that has not ended, covered by the roll-ups, that is a calendar
    year, quarter or month (a month breakdown: whole months), in total, by unit or month, or for one unit.
    ``covered``: what ``applies`` already said of this scope."""
    if scope.by not in (None, Breakdown.UNIT, Breakdown.MONTH):
        return None
    if not (applies(scope) if covered is None else covered):
        return None
    if scope.by == Breakdown.MONTH:
        period = scope.period
        whole_months = period.start.day == 1 and period.end.day == 1
        return "month" if whole_months else None
    return first_appearances.kind_of(scope.period)


def first_sums(scope: Scope, kind: str | None) -> dict[str, Sum]:
    """The sums of roll-up rows that give ``scope``'s distinct counts for ``kind`` (``first_kind``): in total
    (and by month) the visits, the enterprises visited and covered, the visiting specialists and served; by
    unit or for one unit only served (issues have units, visits do not)."""
    if kind is None:
        return {}
    if scope.unit_id is not None or scope.by == Breakdown.UNIT:
        return {"served": Sum(f"served_first_in_{kind}")}
    return {name: Sum(f"{name}_first_in_{kind}") for name in DISTINCT_NAMES} | {"visits": Sum("visits")}
