"""What the dashboard and the exports show of a ``Report``: each figure's value in words, beside its target,
and chart series drawn as SVG on the server (no JavaScript, nothing from another origin). Every chart comes
with its table and a one-sentence summary, so the numbers never live in a picture only."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from services.reports.figures import FIGURES, SPECS, Breakdown, FigureValue, Kind, Report
from services.reports.models import Figure

# For these a smaller value is better: being under the target is on track.
LOWER_IS_BETTER = frozenset(
    {
        Figure.REOPEN_RATE,
        Figure.SEND_BACK_RATE,
        Figure.AVERAGE_ANSWER_DAYS,
        Figure.AVERAGE_HANDLING_DAYS,
        "overdue_now",
        "overdue_issues_now",
    }
)
# The columns of a breakdown's table (all figures are in the Excel export).
TABLE_FIGURES = (
    Figure.ISSUES_LOGGED,
    Figure.CLOSURE_RATE,
    Figure.ON_TIME_CLOSURE_RATE,
    Figure.SATISFACTION_RATE,
    Figure.FIRST_SATISFACTION_RATE,
    Figure.AVERAGE_ANSWER_DAYS,
    "overdue_now",
)


def shown(value: int | Decimal | None, kind: str) -> str:
    """A figure's value as people read it: 559, 98.96%, 2.5个工作日, or — when there is none."""
    if value is None:
        return "—"
    if kind == Kind.RATE:
        percent = (Decimal(value) * 100).quantize(Decimal("0.01")).normalize()
        return f"{percent:f}%"
    if kind == Kind.DAYS:
        return _("%(days)s个工作日") % {"days": f"{Decimal(value).normalize():f}"}
    return str(value)


@dataclass(frozen=True)
class Headline:
    figure: FigureValue
    value: str
    target: str | None
    gap: str | None
    status: str  # in words: 达到目标 / 未达目标 / 未设目标 / 暂无数据
    on_track: bool | None


def _gap(value: Decimal, target: Decimal, kind: str) -> str:
    difference = value - target
    sign = "+" if difference > 0 else ""
    if kind == Kind.RATE:
        points = (difference * 100).quantize(Decimal("0.01")).normalize()
        return _("%(sign)s%(points)s个百分点") % {"sign": sign, "points": f"{points:f}"}
    return f"{sign}{difference.normalize():f}"


def headlines(report: Report, targets: dict[str, Decimal], *, whole_year: bool) -> list[Headline]:
    """Each figure beside its target. Count targets are annual: they apply to a whole year only."""
    items = []
    for spec in FIGURES:
        figure = report.figures[spec.key]
        target = targets.get(spec.key)
        if target is not None and spec.kind == Kind.COUNT and not whole_year:
            target = None
        value = figure.value
        if target is None or value is None:
            status = _("暂无数据") if value is None else _("未设目标")
            items.append(
                Headline(
                    figure,
                    shown(value, spec.kind),
                    shown(target, spec.kind) if target else None,
                    None,
                    status,
                    None,
                )
            )
            continue
        better = Decimal(value) <= target if spec.key in LOWER_IS_BETTER else Decimal(value) >= target
        items.append(
            Headline(
                figure,
                shown(value, spec.kind),
                shown(target, spec.kind),
                _gap(Decimal(value), target, spec.kind),
                _("达到目标") if better else _("未达目标"),
                better,
            )
        )
    return items


# ---------------------------------------------------------------- bar charts

WIDTH = 360  # the viewBox: scales to the screen, readable at 390 px
LABEL_WIDTH = 112
BAR_AREA = 178
ROW_HEIGHT = 26


@dataclass(frozen=True)
class Bar:
    label: str
    short_label: str
    shown: str
    y: int
    width: int
    text_x: int


@dataclass(frozen=True)
class BarChart:
    title: str
    bars: list[Bar]
    height: int
    summary: str
    label_width: int = LABEL_WIDTH
    width: int = WIDTH


def _short(label: str, limit: int = 8) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def bar_chart(report: Report, figure_key: str) -> BarChart:
    """One bar per row of ``report``'s breakdown for ``figure_key``; rows without a value are left out."""
    spec = SPECS[figure_key]
    rows = [(row.label, row.figures[figure_key].value) for row in report.rows]
    rows = [(label, value) for label, value in rows if value is not None]
    largest = max((Decimal(value) for _label, value in rows), default=Decimal(0))
    bars = []
    for index, (label, value) in enumerate(rows):
        width = int(Decimal(value) / largest * BAR_AREA) if largest else 0
        bars.append(
            Bar(
                label=label,
                short_label=_short(label),
                shown=shown(value, spec.kind),
                y=index * ROW_HEIGHT,
                width=max(width, 1 if value else 0),
                text_x=LABEL_WIDTH + width + 4,
            )
        )
    by_label = dict(Breakdown.CHOICES).get(report.by, "")
    title = _("%(figure)s（%(by)s）") % {"figure": spec.label, "by": by_label}
    return BarChart(
        title=title, bars=bars, height=max(len(bars), 1) * ROW_HEIGHT, summary=summary(report, figure_key)
    )


def summary(report: Report, figure_key: str) -> str:
    """The chart in one sentence: the highest and the lowest rows."""
    spec = SPECS[figure_key]
    rows = [(row.label, row.figures[figure_key].value) for row in report.rows]
    rows = [(label, value) for label, value in rows if value is not None]
    if not rows:
        return _("本期没有可比较的数据。")
    high = max(rows, key=lambda item: item[1])
    low = min(rows, key=lambda item: item[1])
    return _(
        "%(figure)s共%(count)s项：最高为%(high)s（%(high_value)s），最低为%(low)s（%(low_value)s）。"
    ) % {
        "figure": spec.label,
        "count": len(rows),
        "high": high[0],
        "high_value": shown(high[1], spec.kind),
        "low": low[0],
        "low_value": shown(low[1], spec.kind),
    }


# ---------------------------------------------------------------- 红黑榜

RANKED = (Figure.ON_TIME_CLOSURE_RATE, Figure.SATISFACTION_RATE, "overdue_now")


@dataclass(frozen=True)
class Ranking:
    figure: str
    label: str
    best: list[tuple[str, str]]  # (unit, value shown)
    worst: list[tuple[str, str]]


def rankings(by_unit: Report, *, size: int = 3) -> list[Ranking]:
    """Units ranked by on-time answers, satisfaction and overdue clocks: the best (红榜) and the worst (黑榜).
    Only units with a value take part; the row of problems not yet with a unit does not."""
    result = []
    for key in RANKED:
        spec = SPECS[key]
        rows = [
            (row.label, row.figures[key].value)
            for row in by_unit.rows
            if row.key is not None and row.figures[key].value is not None
        ]
        descending = key not in LOWER_IS_BETTER
        ordered = sorted(rows, key=lambda item: (item[1], item[0]), reverse=descending)
        best = ordered[:size]
        worst = [row for row in reversed(ordered) if row not in best][:size]
        result.append(
            Ranking(
                figure=key,
                label=str(spec.label),
                best=[(label, shown(value, spec.kind)) for label, value in best],
                worst=[(label, shown(value, spec.kind)) for label, value in worst],
            )
        )
    return result
