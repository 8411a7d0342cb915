"""Frozen periods: a closed month, quarter or year keeps the figures it had when it closed.

``report_for`` is what every page, export and API call uses: a closed period reads its snapshot (and says
so through ``Report.frozen_at``); an open one, or a custom range, is computed live by
``services.reports.figures.compute``. ``freeze`` turns a live report into the snapshot's JSON and ``thaw``
turns it back, exactly (decimals as strings). ``differences`` compares a snapshot with a live recomputation
for the recompute view, and ``possible_reasons`` names the edits made since the period closed that can move
figures the history does not keep.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from services.departments.models import Unit
from services.reports.figures import SPECS, Breakdown, FigureValue, Kind, Period, Report, Row, compute
from services.reports.models import PeriodKind, PeriodSnapshot

FORMAT = 1  # bumped if the JSON's shape changes


def period_kind(period: Period) -> str | None:
    """``year``, ``quarter`` or ``month`` when ``period`` is exactly one calendar period, else None."""
    start = period.start
    if start.day != 1:
        return None
    if period == Period.year(start.year):
        return PeriodKind.YEAR
    if period.quarter_number is not None:
        return PeriodKind.QUARTER
    if period == month(start.year, start.month):
        return PeriodKind.MONTH
    return None


def month(year: int, number: int) -> Period:
    following = dt.date(year + number // 12, number % 12 + 1, 1)
    return Period(dt.date(year, number, 1), following)


def period_of(kind: str, start: dt.date) -> Period:
    if kind == PeriodKind.YEAR:
        return Period.year(start.year)
    if kind == PeriodKind.QUARTER:
        return Period.quarter(start.year, (start.month + 2) // 3)
    return month(start.year, start.month)


def snapshot_of(period: Period) -> PeriodSnapshot | None:
    kind = period_kind(period)
    if kind is None:
        return None
    return PeriodSnapshot.objects.filter(kind=kind, start=period.start).select_related("closed_by").first()


# ---------------------------------------------------------------- JSON, both ways


def _number(value: int | Decimal | None) -> Any:
    if value is None or isinstance(value, int):
        return value
    return str(value)


def _unnumber(value: Any) -> int | Decimal | None:
    if value is None or isinstance(value, int):
        return value
    return Decimal(value)


def _figures_json(figures: dict[str, FigureValue]) -> dict[str, Any]:
    return {
        key: {
            "value": _number(figure.value),
            "numerator": _number(figure.numerator),
            "denominator": figure.denominator,
            "parts": figure.parts,
        }
        for key, figure in figures.items()
    }


def _figures_from(data: dict[str, Any]) -> dict[str, FigureValue]:
    figures = {}
    for spec in SPECS.values():
        entry = data.get(spec.key)
        if entry is None:  # a figure added after the period closed: not part of what was frozen
            figures[spec.key] = FigureValue(spec.key, None)
            continue
        value = _unnumber(entry["value"])
        if spec.kind == Kind.COUNT and isinstance(value, Decimal):
            value = int(value)
        figures[spec.key] = FigureValue(
            spec.key,
            value,
            _unnumber(entry["numerator"]),
            entry["denominator"],
            parts=dict(entry.get("parts") or {}),
        )
    return figures


def freeze(period: Period) -> dict[str, Any]:
    """Every figure of ``period`` and every breakdown, as JSON."""
    totals = compute(period)
    data: dict[str, Any] = {
        "format": FORMAT,
        "as_of": totals.as_of.isoformat(),
        "figures": _figures_json(totals.figures),
        "visiting_specialists": totals.visiting_specialists,
        "visited_above_scale": totals.visited_above_scale,
        "warnings": totals.warnings,
        "breakdowns": {},
    }
    for by in Breakdown.VALUES:
        report = compute(period, by=by)
        data["breakdowns"][by] = [
            {"key": row.key, "label": row.label, "figures": _figures_json(row.figures)} for row in report.rows
        ]
    return data


def thaw(snapshot: PeriodSnapshot, *, by: str | None = None, unit_id: int | None = None) -> Report:
    data = snapshot.data
    period = Period(snapshot.start, snapshot.end)
    figures = _figures_from(data["figures"])
    if unit_id is not None:
        # A unit's figures are its row of the frozen unit breakdown, computed by the same definitions.
        row = next((r for r in data["breakdowns"][Breakdown.UNIT] if r["key"] == unit_id), None)
        figures = _figures_from(row["figures"]) if row else {key: FigureValue(key, None) for key in SPECS}
    rows = []
    if by is not None:
        rows = [
            Row(key=row["key"], label=row["label"], figures=_figures_from(row["figures"]))
            for row in data["breakdowns"][by]
        ]
    return Report(
        period=period,
        as_of=dt.datetime.fromisoformat(data["as_of"]),
        is_final=True,
        by=by,
        unit_id=unit_id,
        figures=figures,
        rows=rows,
        visiting_specialists=data.get("visiting_specialists"),
        visited_above_scale=data.get("visited_above_scale"),
        warnings=list(data.get("warnings") or []),
        frozen_at=snapshot.closed_at,
    )


def report_for(
    period: Period | int,
    *,
    by: str | None = None,
    unit: Unit | int | None = None,
    totals_from: Report | None = None,
) -> Report:
    """The figures of ``period``: frozen if the period is closed, live otherwise (``totals_from``: see
    ``compute``)."""
    if isinstance(period, int):
        period = Period.year(period)
    if by is not None and by not in Breakdown.VALUES:
        raise ValueError(f"unknown breakdown {by!r}")
    unit_id = unit.pk if isinstance(unit, Unit) else unit
    snapshot = snapshot_of(period)
    if snapshot is not None and not (unit_id is not None and by is not None):
        return thaw(snapshot, by=by, unit_id=unit_id)
    return compute(period, by=by, unit=unit_id, totals_from=totals_from)


# ---------------------------------------------------------------- recompute


@dataclass(frozen=True)
class Difference:
    breakdown: str | None  # None for the totals
    row: str  # the row's label; "" for the totals
    figure: str  # the figure's label
    frozen: int | Decimal | None
    live: int | Decimal | None


def _compare(breakdown: str | None, row: str, frozen: dict[str, FigureValue], live: dict[str, FigureValue]):
    for key, spec in SPECS.items():
        before = frozen.get(key)
        after = live.get(key)
        if before is None or after is None or before.value == after.value:
            continue
        yield Difference(breakdown, row, str(spec.label), before.value, after.value)


def differences(snapshot: PeriodSnapshot) -> list[Difference]:
    """Every figure whose live value now differs from the frozen one, totals first, then each breakdown."""
    period = Period(snapshot.start, snapshot.end)
    found = list(_compare(None, "", thaw(snapshot).figures, compute(period).figures))
    for by in Breakdown.VALUES:
        frozen = {row.key: row for row in thaw(snapshot, by=by).rows}
        live = {row.key: row for row in compute(period, by=by).rows}
        for key in list(frozen) + [k for k in live if k not in frozen]:
            label = (frozen.get(key) or live[key]).label
            empty = {spec: FigureValue(spec, None) for spec in SPECS}
            before = frozen[key].figures if key in frozen else empty
            after = live[key].figures if key in live else empty
            found.extend(_compare(by, label, before, after))
    return found


REASONS = {
    "visits": _("关账后录入、修改或删除了该期的走访记录"),
    "calendar": _("关账后录入了该期内日期的节假日或调休"),
    "policy": _("关账后修改了办理时限设置（如基本满意系数）"),
    "enterprises": _("企业的规上、在营、镇街或园区信息在关账后可能已修改（这些信息不保留历史）"),
}


def possible_reasons(snapshot: PeriodSnapshot) -> list[str]:
    """What was edited after the period closed that can move figures the history does not keep."""
    from services.issues.models import IssuePolicy
    from services.visits.models import Visit
    from services.workcalendar.models import CalendarOverride

    start, end = Period(snapshot.start, snapshot.end).bounds()
    reasons = []
    if Visit.objects.filter(
        visited_at__gte=start, visited_at__lt=end, created_at__gt=snapshot.closed_at
    ).exists():
        reasons.append(gettext(REASONS["visits"]))
    overrides = CalendarOverride.objects.filter(date__gte=snapshot.start, date__lt=snapshot.end)
    if overrides.filter(created_at__gt=snapshot.closed_at).exists():
        reasons.append(gettext(REASONS["calendar"]))
    if IssuePolicy.objects.filter(updated_at__gt=snapshot.closed_at).exists():
        reasons.append(gettext(REASONS["policy"]))
    reasons.append(gettext(REASONS["enterprises"]))
    return reasons
