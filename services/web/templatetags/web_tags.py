"""Small helpers for the server-rendered pages: the header's inbox count, clock verdicts, percentages."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from html import escape as _escape

from django import template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from services.accounts.models import User
from services.core.api import choice_label
from services.issues.lifecycle import Status
from services.issues.models import Stage, StageClock, Urgency
from services.notifications.selectors import cached_unread_count
from services.web.access import runs_operations as _runs_operations
from services.web.access import sees_district_figures as _sees_district_figures

register = template.Library()


@register.simple_tag
def unread_notifications(user: User) -> int:
    """How many of the user's messages are unread (0 for an anonymous visitor); cached a minute per user."""
    return cached_unread_count(user) if user.is_authenticated else 0


@register.filter
def sees_district_figures(user: User) -> bool:
    return _sees_district_figures(user)


@register.filter
def runs_operations(user: User) -> bool:
    return _runs_operations(user)


@register.simple_tag(takes_context=True)
def site_nav(context) -> SafeString:
    """The main navigation of a signed-in person: the links their role has, the current page marked."""
    user, request = context["user"], context["request"]
    match = getattr(request, "resolver_match", None)
    return _site_nav(
        translation.get_language(),
        role=user.role,
        is_unit_staff=user.is_unit_staff,
        sees_district_figures=_sees_district_figures(user),
        runs_operations=_runs_operations(user),
        is_staff=user.is_staff,
        current=match.view_name if match else None,
    )


@lru_cache(maxsize=1024)
def _site_nav(language: str, **values) -> SafeString:
    # Rendered once per combination in each process: the nav was a tenth of every page's template time.
    # ``language`` is part of the key; the active language is that one while it renders.
    return mark_safe(render_to_string("web/_nav.html", values))  # a template's output, escaped by it


@dataclass(frozen=True)
class Verdict:
    key: str  # on_time, late, overdue, running, stopped: also the CSS modifier
    label: str


VERDICTS = {
    "on_time": _("按时"),
    "late": _("超期"),
    "overdue": _("已超期"),
    "running": _("进行中"),
    "stopped": _("已中止"),
}


@register.simple_tag
def clock_verdict(clock: StageClock, now: datetime) -> Verdict:
    """按时 / 超期 for a finished clock, 已超期 / 进行中 for a running one, 已中止 for one stopped in time."""
    if clock.met_at is not None:
        key = "on_time" if clock.met_on_time else "late"
    elif clock.is_breached(now):
        key = "overdue" if clock.is_running else "late"
    else:
        key = "running" if clock.is_running else "stopped"
    return Verdict(key=key, label=str(VERDICTS[key]))


@register.filter
def percent(rate: float | None) -> str:
    """0.955 → "95.5%"; no rate (nothing in scope) → "—"."""
    return "—" if rate is None else f"{rate * 100:.1f}%"


@register.simple_tag
def ratio(part: int, whole: int) -> str:
    """``part`` ÷ ``whole`` as a percentage, "—" when ``whole`` is 0."""
    return percent(part / whole if whole else None)


# A due time counted Monday to Friday because that year's holidays are not entered yet (DESIGN §3).
FALLBACK_LABEL = _("按周一至周五推算")

DUE_LABELS = {
    "overdue": _("已超期"),
    "today": _("今日到期"),
    "soon": _("即将到期"),
    "later": "",
}


@register.simple_tag
def due_state(due_at: datetime | None, now: datetime) -> Verdict:
    """A due time in words as well as colour: 已超期, 今日到期 (by the end of today), 即将到期 (within 24 h)."""
    if due_at is None:
        return Verdict(key="later", label="")
    if due_at < now:
        key = "overdue"
    elif timezone.localtime(due_at).date() == timezone.localtime(now).date():
        key = "today"
    elif due_at - now <= timedelta(hours=24):
        key = "soon"
    else:
        key = "later"
    return Verdict(key=key, label=str(DUE_LABELS[key]))


@register.filter
def stage_label(value: str) -> str:
    """The stage's name (签收, 答复…) for its stored key."""
    try:
        return str(Stage(value).label)
    except ValueError:
        return value


# ---------------------------------------------------------------- the rows of web/_issue_list.html
# One formatted string per row instead of ~40 template nodes: the table is most of a list page's time.
LIST_COLUMNS = (
    ("number", _("编号")),
    ("title", _("标题")),
    ("enterprise", _("企业")),
    ("category", _("分类")),
    ("status", _("状态")),
    ("urgency", _("紧急程度")),
    ("lead", _("牵头单位")),
    ("due", _("截止时间")),
)
ROW_CLASSES = {"overdue": "is-overdue", "today": "is-due-today"}
_ROW = (
    '<tr class="{}">'
    '<td data-label="{}" class="nowrap"><a href="{}">{}</a></td>'
    '<td data-label="{}" class="title-cell"><a href="{}">{}</a></td>'
    '<td data-label="{}">{}</td>'
    '<td data-label="{}">{}</td>'
    '<td data-label="{}"><span class="badge status-{}">{}</span></td>'
    '<td data-label="{}"><span class="badge urgency-{}">{}</span></td>'
    '<td data-label="{}">{}</td>'
    '<td data-label="{}" class="due-cell">{}</td>'
    "</tr>\n"
)


def _field(row, name: str):
    return row.get(name) if isinstance(row, dict) else getattr(row, name, None)


def _due_cell(
    due_at: datetime | None, stage: str | None, due: Verdict, show_stage: bool, fallback: bool = False
) -> str:
    """The due cell's markup; every value in it is escaped here."""
    if due_at is None:
        return "—"
    local = timezone.localtime(due_at)
    parts = []
    if show_stage and stage:
        parts.append(f'<span class="stage">{_escape(stage_label(stage))}</span>')
    parts.append(f'<time datetime="{local.isoformat()}">{local:%Y-%m-%d %H:%M}</time>')
    if due.key != "later":
        parts.append(f'<span class="badge due-{due.key}">{_escape(due.label)}</span>')
    if fallback:
        parts.append(f'<span class="badge fallback">{_escape(str(FALLBACK_LABEL))}</span>')
    return " ".join(parts)


def _text(value) -> str:
    return "" if value is None else _escape(str(value))


@register.simple_tag
def issue_rows(rows, now: datetime, show_stage: bool = False) -> SafeString:
    """The <tr> of each problem of a list (issues, or dicts as ``worklists.inbox_rows`` makes them).

    Built with ``str.format`` over values escaped by ``html.escape`` (what Django's ``escape`` calls): per
    value, ``format_html``'s lazy-string and SafeString checks cost more than the escaping itself, and a
    list page has some 300 values."""
    labels = {key: _escape(str(label)) for key, label in LIST_COLUMNS}
    # One reverse per page: the link of a row is this one with the row's id in place of the marker.
    before, after = reverse("web:issue-detail", args=[987654321]).split("987654321")
    out = []
    for row in rows:
        pk = _field(row, "pk")
        href = f"{before}{int(pk)}{after}"
        due_at = _field(row, "next_due_at")
        due = due_state(due_at, now)
        status, urgency = _field(row, "status"), _field(row, "urgency")
        enterprise, lead = _field(row, "enterprise"), _field(row, "lead_unit")
        out.append(
            _ROW.format(
                ROW_CLASSES.get(due.key, ""),
                labels["number"],
                href,
                _text(_field(row, "number")),
                labels["title"],
                href,
                _text(_field(row, "title")),
                labels["enterprise"],
                _text(_field(enterprise, "name")),
                labels["category"],
                _text(_field(row, "category")),
                labels["status"],
                _text(status),
                _text(_field(row, "status_label") or choice_label(Status, status)),
                labels["urgency"],
                _text(urgency),
                _text(_field(row, "urgency_label") or choice_label(Urgency, urgency)),
                labels["lead"],
                _text((_field(lead, "short_name") if lead else None) or "—"),
                labels["due"],
                _due_cell(
                    due_at, _field(row, "next_stage"), due, show_stage, bool(_field(row, "next_due_fallback"))
                ),
            )
        )
    return mark_safe("".join(out))  # every value in it went through _escape above


# ---------------------------------------------------------------- the clock table of web/issue_detail.html
# Like the list rows: one formatted string per clock instead of ~30 template nodes.
CLOCK_COLUMNS = (
    ("stage", _("环节")),
    ("unit", _("单位")),
    ("started", _("开始时间")),
    ("due", _("截止时间")),
    ("original", _("原截止时间")),
    ("ended", _("完成/中止")),
    ("verdict", _("结果")),
)
_CLOCK_ROW = (
    "<tr>"
    '<td data-label="{stage_col}" class="nowrap">{stage}</td>'
    '<td data-label="{unit_col}">{unit}</td>'
    '<td data-label="{started_col}" class="nowrap">{started}</td>'
    '<td data-label="{due_col}" class="nowrap">{due}</td>'
    '<td data-label="{original_col}" class="nowrap">{original}</td>'
    '<td data-label="{ended_col}" class="nowrap">{ended}</td>'
    '<td data-label="{verdict_col}"><span class="badge verdict-{verdict_key}">{verdict}</span></td>'
    "</tr>\n"
)


def _minute(moment: datetime | None) -> str:
    return "" if moment is None else f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


@register.simple_tag
def clock_rows(clocks, now: datetime) -> SafeString:
    """The <tr> of each stage clock: stage (按小时, 按周一至周五推算), unit, times and 按时/超期/已超期…"""
    columns = {f"{key}_col": _escape(str(label)) for key, label in CLOCK_COLUMNS}
    hours = f' <span class="muted">{_escape(str(_("（按小时）")))}</span>'
    fallback = f' <span class="badge fallback">{_escape(str(FALLBACK_LABEL))}</span>'
    done, stopped = _escape(str(_("完成"))), _escape(str(_("中止")))
    out = []
    for stage_clock in clocks:
        verdict = clock_verdict(stage_clock, now)
        if stage_clock.met_at:
            ended = f"{done} {_minute(stage_clock.met_at)}"
        elif stage_clock.stopped_at:
            ended = f"{stopped} {_minute(stage_clock.stopped_at)}"
        else:
            ended = "—"
        label = getattr(stage_clock, "stage_label", None) or stage_label(stage_clock.stage)
        out.append(
            _CLOCK_ROW.format(
                **columns,
                stage=_escape(str(label))
                + (hours if stage_clock.counts_hours else "")
                + (fallback if stage_clock.due_from_fallback else ""),
                unit=_text(stage_clock.unit) if stage_clock.unit_id else "—",
                started=_minute(stage_clock.started_at),
                due=_minute(stage_clock.due_at),
                original=_minute(stage_clock.original_due_at)
                if stage_clock.original_due_at != stage_clock.due_at
                else "—",
                ended=ended,
                verdict_key=verdict.key,
                verdict=_escape(verdict.label),
            )
        )
    return mark_safe("".join(out))  # every value in it went through _escape above


_REPORT_CELL = '<td class="number" data-label="{}">{}</td>'
_REPORT_LINK = '<a href="{}?{}&amp;by={}&amp;key={}">{}</a>'


@register.simple_tag
def report_table_rows(table, query: str, by: str) -> SafeString:
    """The <tr> of a breakdown table: each row's label, then each figure's value, linked to the list behind it
    when the figure has one. Built like ``issue_rows`` (one reverse per list, not per cell): a unit breakdown
    is some hundreds of rows of 16 figures."""
    lists: dict[str, str] = {}
    tail = (_escape(query), _escape(by))
    out = []
    for row, cells in table:
        key = _text(row.key)
        out.append(f'<tr><th scope="row">{_text(row.label)}</th>')
        for _name, figure, text in cells:
            shown = _text(text)
            if figure.parts and figure.value is not None:
                part = figure.spec.parts[0]
                if part not in lists:
                    lists[part] = _escape(reverse("web:reports-drilldown", args=[part]))
                shown = _REPORT_LINK.format(lists[part], *tail, key, shown)
            out.append(_REPORT_CELL.format(_text(figure.label), shown))
        out.append("</tr>")
    return mark_safe("".join(out))  # every value in it went through _escape above


_BAR = (
    '<g><text class="chart-label" x="{}" y="{}" text-anchor="end">{}<title>{}</title></text>'
    '<rect class="chart-bar" x="{}" y="{}" width="{}" height="16" rx="2"></rect>'
    '<text class="chart-value" x="{}" y="{}">{}</text></g>'
)


@register.simple_tag
def chart_bars(chart) -> SafeString:
    """The bars of a ``services.reports.charts.BarChart`` as SVG groups, built like ``report_table_rows``
    (a unit breakdown has a bar per unit)."""
    label_x = int(chart.label_width) - 6
    out = []
    for bar in chart.bars:
        text_y = int(bar.y) + 17
        out.append(
            _BAR.format(
                label_x,
                text_y,
                _text(bar.short_label),
                _text(bar.label),
                int(chart.label_width),
                int(bar.y) + 5,
                int(bar.width),
                int(bar.text_x),
                text_y,
                _text(bar.shown),
            )
        )
    return mark_safe("".join(out))  # every value in it went through _escape above
