"""``compute``: every figure of a period, from the cohorts' raw counts."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import replace
from decimal import Decimal
from functools import partial
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext

from services.core import clock
from services.departments.models import Unit
from services.issues.models import (
    IssuePolicy,
)
from services.reports import rollups
from services.reports.figures import cohorts
from services.reports.figures.breakdowns import row_keys
from services.reports.figures.definitions import (
    DAYS_PLACES,
    OVERDUE_ISSUES_NOW,
    OVERDUE_NOW,
    RATE_PLACES,
    SPECS,
    TOTAL,
    Breakdown,
    FigureValue,
    Report,
    Row,
    Scope,
    Tallies,
)
from services.reports.models import Figure
from services.visits.coverage import Period
from services.workcalendar import calendar as workcalendar


def scope_of(period: Period, *, unit_id: int | None = None, by: str | None = None) -> Scope:
    """What a computation (or a drill-down) looks at: the period, its horizon ``T = min(now, end)``."""
    start, end = period.bounds()
    now = clock.now()
    return Scope(
        period=period,
        start=start,
        end=end,
        as_of=min(now, end),
        as_of_is_now=now < end,
        by=by,
        unit_id=unit_id,
        tz=ZoneInfo(settings.TIME_ZONE),
    )


def compute(
    period: Period | int,
    *,
    by: str | None = None,
    unit: Unit | int | None = None,
    totals_from: Report | None = None,
) -> Report:
    """All the figures of ``period`` (a ``Period`` or a year), optionally by ``by`` and for one ``unit``.

    ``totals_from``: a live report of the same period and unit computed just before (the dashboard asks for
    two breakdowns); its totals are taken instead of being counted a second time."""
    if isinstance(period, int):
        period = Period.year(period)
    if by is not None and by not in Breakdown.VALUES:
        raise ValueError(f"unknown breakdown {by!r}")
    unit_id = unit.pk if isinstance(unit, Unit) else unit
    scope = scope_of(period, unit_id=unit_id)
    factor = IssuePolicy.current().basic_satisfaction_factor

    reused = (
        totals_from is not None
        and totals_from.frozen_at is None
        and (totals_from.period, totals_from.unit_id) == (period, unit_id)
    )
    if reused:
        scope = replace(scope, as_of=totals_from.as_of)
        figures = totals_from.figures
        visits = {
            "visiting_specialists": totals_from.visiting_specialists,
            "visited_above_scale": totals_from.visited_above_scale,
        }
    else:
        totals, applicable = tallies_of(scope)
        figures = figure_values(totals.get(TOTAL, {}), applicable, factor)
        visits = totals.get(TOTAL, {})
    rows: list[Row] = []
    if by is not None:
        by_scope = replace(scope, by=by)
        in_scope = figures[Figure.ON_SITE_COVERAGE].parts.get("in_scope")
        tallies, row_applicable = tallies_of(by_scope, in_scope=in_scope)
        rows = [
            Row(key=key, label=label, figures=figure_values(tallies.get(key, {}), row_applicable, factor))
            for key, label in row_keys(by_scope, tallies)
        ]
    return Report(
        period=period,
        as_of=scope.as_of,
        is_final=not scope.as_of_is_now,
        by=by,
        unit_id=unit_id,
        figures=figures,
        rows=rows,
        visiting_specialists=visits.get("visiting_specialists"),
        visited_above_scale=visits.get("visited_above_scale"),
        warnings=period_warnings(scope),
    )


def tallies_of(scope: Scope, *, in_scope: int | None = None) -> tuple[Tallies, set[str]]:
    """Every raw count, per bucket, and the names of the sources that apply to this breakdown (``in_scope``:
    the enterprises in scope, when the totals have just counted them)."""
    issue_only = scope.unit_id is not None or scope.by in (Breakdown.UNIT, Breakdown.CATEGORY)
    sources = {
        "issues": [
            cohorts.filed_cohort,
            cohorts.accepted_cohort,
            cohorts.closed_cohort,
            cohorts.handling_days_cohort,
        ],
        "dispatches": [cohorts.dispatch_cohort, cohorts.sent_back_cohort],
        "served": [cohorts.served_cohort],
    }
    covered = rollups.applies(scope)
    firsts = rollups.first_kind(scope, covered=covered)
    if covered:
        # The open period: the issue and dispatch counts are sums of the days' roll-up rows.
        sources["issues"], sources["dispatches"] = [partial(rollups.issue_tallies, firsts=firsts)], []
    if scope.by != Breakdown.MONTH:
        sources["overdue"] = [cohorts.overdue_clocks]
    if not issue_only:
        sources["visits"] = [cohorts.visit_cohort]
        sources["specialists"] = [cohorts.specialist_cohort]
        sources["coverage"] = [partial(cohorts.coverage_cohort, in_scope=in_scope)]
    if firsts is not None:
        # A calendar year, quarter or month still open: its distinct counts are sums of first appearances,
        # read with the issue counts (``rollups.issue_tallies``).
        sources["served"] = []
        if "visits" in sources:
            sources["visits"] = []
    merged: Tallies = defaultdict(dict)
    for functions in sources.values():
        for function in functions:
            for key, counts in function(scope).items():
                merged[key].update(counts)
    return merged, set(sources)


# The raw counts each figure needs, by source; a source that applies but found nothing counts 0.
SOURCE_OF = {
    "issues": (
        "logged",
        "accepted",
        "accepted_closed",
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
        "handling_days",
        "answer_days",
        "answered",
    ),
    "dispatches": ("dispatched", "cut_short", "signable", "signed", "signed_on_time", "sent_back"),
    "served": ("served",),
    "overdue": ("overdue", "overdue_issues"),
    "visits": ("visits", "visiting_specialists", "visited_above_scale", "covered"),
    "specialists": ("specialists",),
    "coverage": ("in_scope",),
}
SOURCE_BY_NAME = {name: source for source, names in SOURCE_OF.items() for name in names}


def figure_values(counts: dict[str, int], applicable: set[str], factor: Decimal) -> dict[str, FigureValue]:
    def n(name: str) -> int | None:
        return (counts.get(name) or 0) if SOURCE_BY_NAME[name] in applicable else None

    def parts(key: str) -> dict[str, int]:
        return {name: value for name in SPECS[key].parts if (value := n(name)) is not None}

    def count(key: str, name: str) -> FigureValue:
        return FigureValue(str(key), n(name), parts=parts(key))

    def rate(key: str, numerator: int | Decimal | None, denominator: int | None) -> FigureValue:
        if numerator is None or denominator is None:
            return FigureValue(str(key), None)
        value = (Decimal(numerator) / denominator).quantize(RATE_PLACES) if denominator else None
        return FigureValue(str(key), value, numerator, denominator, parts=parts(key))

    def weighted(satisfied: str, basic: str) -> Decimal | None:
        plain, partly = n(satisfied), n(basic)
        return None if plain is None or partly is None else plain + factor * partly

    def average(key: str, total: str, over: str) -> FigureValue:
        days, base = n(total), n(over)
        if days is None or base is None:
            return FigureValue(str(key), None)
        value = (Decimal(days) / base).quantize(DAYS_PLACES) if base else None
        return FigureValue(str(key), value, days, base, parts=parts(key))

    closed = n("closed")
    values = [
        count(Figure.SPECIALISTS, "specialists"),
        count(Figure.ENTERPRISES_SERVED, "served"),
        count(Figure.VISITS, "visits"),
        rate(Figure.ON_SITE_COVERAGE, n("covered"), n("in_scope")),
        count(Figure.ISSUES_LOGGED, "logged"),
        rate(Figure.SIGN_RATE, n("signed"), n("signable")),
        rate(Figure.ON_TIME_SIGN_RATE, n("signed_on_time"), n("signable")),
        rate(Figure.CLOSURE_RATE, n("accepted_closed"), n("accepted")),
        rate(Figure.ON_TIME_CLOSURE_RATE, n("closed_on_time"), closed),
        rate(Figure.FOLLOW_UP_RATE, n("rated"), closed),
        rate(Figure.CONTACT_RATE, n("contacted"), n("rated")),
        rate(Figure.SOLVED_RATE, n("solved"), n("rated")),
        rate(Figure.SATISFACTION_RATE, weighted("satisfied", "basic"), n("rated")),
        rate(Figure.FIRST_SATISFACTION_RATE, weighted("first_satisfied", "first_basic"), n("first_rated")),
        rate(Figure.REOPEN_RATE, n("reopened"), closed),
        rate(Figure.SEND_BACK_RATE, n("sent_back"), n("dispatched")),
        average(Figure.AVERAGE_ANSWER_DAYS, "answer_days", "closed"),
        average(Figure.AVERAGE_HANDLING_DAYS, "handling_days", "closed"),
        count(OVERDUE_ISSUES_NOW, "overdue_issues"),
        count(OVERDUE_NOW, "overdue"),
    ]
    return {value.key: value for value in values}


def period_warnings(scope: Scope) -> list[str]:
    warnings = []
    if scope.as_of_is_now:
        warnings.append(
            gettext("统计期尚未结束，数据截至%(as_of)s，之后仍会变化。")
            % {"as_of": f"{timezone.localtime(scope.as_of):%Y-%m-%d %H:%M}"}
        )
    last_day = scope.period.end - dt.timedelta(days=1)
    warnings.extend(workcalendar.warnings_for(scope.period.start, last_day))
    return warnings
