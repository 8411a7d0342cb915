"""Excel exports of every table and every drill-down list, and the year-in-review Word document.

Each takes the same ``Report`` (or ``Drill``) that the page shows. Sheets open with the period, the filters,
the time of export and whether the figures are frozen or live; headers are in Chinese. Workbooks are written
in openpyxl's write-only mode and rows are streamed from the database in chunks, so memory stays flat
whatever the number of rows. A list longer than ``LARGE_EXPORT_ROWS`` is made by a Celery worker
(``export_task``) into the attachment storage, kept until it expires.
"""

from __future__ import annotations

import datetime as dt
import io
import uuid
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import IO, Any

from django.core.files.base import File
from django.core.files.storage import storages
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from services.core import clock
from services.core.api import choice_label
from services.issues.lifecycle import Status
from services.issues.models import Stage
from services.reports import charts
from services.reports.figures import FIGURES, SPECS, Breakdown, Kind, Report
from services.reports.figures.drilldown import Drill, Kinds
from services.reports.models import ExportJob
from services.reports.periods import describe
from services.visits.models import Method

LARGE_EXPORT_ROWS = 5000
CHUNK = 2000
EXPORT_DAYS = 7
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _stamp() -> str:
    return f"{timezone.localtime(clock.now()):%Y-%m-%d %H:%M}"


def _state(frozen: bool) -> str:
    return _("冻结数据（已关账）") if frozen else _("实时数据")


def _cell(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, Decimal):
        return float(value)
    return value


def write_workbook(
    target: IO[bytes],
    *,
    title: str,
    meta: list[tuple[str, str]],
    headers: list[str],
    rows: Iterable[list[Any]],
    progress: Callable[[int], None] | None = None,
) -> int:
    """One sheet: the title, the meta lines, a blank line, the headers, then ``rows``. Returns the row count."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])
    sheet.append([title])
    for name, value in meta:
        sheet.append([name, value])
    sheet.append([])
    sheet.append(headers)
    count = 0
    for row in rows:
        sheet.append([_cell(value) for value in row])
        count += 1
        if progress and count % CHUNK == 0:
            progress(count)
    book.save(target)
    return count


def _meta(report_name: str, filters: str, frozen: bool) -> list[tuple[str, str]]:
    return [
        (_("统计期"), report_name),
        (_("筛选条件"), filters or _("无")),
        (_("导出时间"), _stamp()),
        (_("数据状态"), _state(frozen)),
    ]


def _value(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == Kind.RATE:
        return float(value)
    return _cell(value)


def summary_workbook(target: IO[bytes], report: Report, targets: dict[str, Decimal]) -> int:
    """The headline: each figure, its target, numerator and denominator."""
    headers = [_("指标"), _("实际值"), _("目标值"), _("分子"), _("分母"), _("口径")]
    rows = []
    for spec in FIGURES:
        figure = report.figures[spec.key]
        rows.append(
            [
                str(spec.label),
                _value(figure.value, spec.kind),
                _value(targets.get(spec.key), spec.kind),
                _cell(figure.numerator),
                figure.denominator,
                str(spec.definition),
            ]
        )
    title = _("%(period)s统计报表") % {"period": describe(report.period)}
    return write_workbook(
        target,
        title=title,
        meta=_meta(describe(report.period), "", report.is_frozen),
        headers=headers,
        rows=rows,
    )


def breakdown_workbook(target: IO[bytes], report: Report) -> int:
    """A breakdown with every figure as a column (rates as fractions)."""
    by_label = dict(Breakdown.CHOICES)[report.by]
    headers = [str(by_label)] + [str(spec.label) for spec in FIGURES]
    rows = [
        [row.label] + [_value(row.figures[spec.key].value, spec.kind) for spec in FIGURES]
        for row in report.rows
    ]
    title = _("%(period)s分组统计") % {"period": describe(report.period)}
    meta = _meta(describe(report.period), str(by_label), report.is_frozen)
    return write_workbook(target, title=title, meta=meta, headers=headers, rows=rows)


_COLUMNS: dict[str, tuple[list[Any], Callable[[Any], list[Any]]]] = {
    Kinds.ISSUE: (
        [
            _("编号"),
            _("标题"),
            _("企业"),
            _("一级分类"),
            _("承办单位"),
            _("状态"),
            _("提交时间"),
            _("办结时间"),
        ],
        lambda i: [
            i.number,
            i.title,
            i.enterprise.name,
            i.category.name,
            i.lead_unit.short_name if i.lead_unit_id else "",
            choice_label(Status, i.status),
            i.created_at,
            i.closed_at,
        ],
    ),
    Kinds.CLOCK: (
        [_("问题编号"), _("环节"), _("单位"), _("开始时间"), _("截止时间"), _("完成时间")],
        lambda c: [
            c.issue.number,
            choice_label(Stage, c.stage),
            c.unit.short_name if c.unit_id else "",
            c.started_at,
            c.due_at,
            c.met_at,
        ],
    ),
    Kinds.PART: (
        [_("问题编号"), _("单位"), _("派单时间"), _("结束时间"), _("结束原因")],
        lambda p: [p.issue.number, p.unit.short_name, p.dispatched_at, p.ended_at, p.end_reason],
    ),
    Kinds.VISIT: (
        [_("走访时间"), _("企业"), _("服务专员"), _("方式")],
        lambda v: [v.visited_at, v.enterprise.name, v.specialist.name, choice_label(Method, v.method)],
    ),
    Kinds.ENTERPRISE: (
        [_("企业"), _("统一社会信用代码"), _("镇街"), _("园区")],
        lambda e: [e.name, e.uscc, e.town.name if e.town_id else "", e.park.name if e.park_id else ""],
    ),
    Kinds.SPECIALIST: ([_("服务专员"), _("用户名")], lambda u: [u.name, u.username]),
}


def drilldown_rows(drill: Drill) -> Iterator[list[Any]]:
    _headers, values = _COLUMNS[drill.kind]
    for item in drill.rows.iterator(chunk_size=CHUNK):
        yield values(item)


def drilldown_workbook(
    target: IO[bytes],
    drill: Drill,
    *,
    period_name: str,
    filters: str,
    frozen: bool,
    progress: Callable[[int], None] | None = None,
) -> int:
    headers = [str(h) for h in _COLUMNS[drill.kind][0]]
    return write_workbook(
        target,
        title=drill.label,
        meta=[
            *_meta(period_name, filters, frozen),
            (_("说明"), _("明细为导出时的实时数据。") if frozen else ""),
        ],
        headers=headers,
        rows=drilldown_rows(drill),
        progress=progress,
    )


# ---------------------------------------------------------------- large exports, in the background


def storage():
    return storages["attachments"]


def run_export_job(
    job: ExportJob, drill: Drill, *, period_name: str, filters: str, frozen: bool
) -> ExportJob:
    """Writes the file (a temporary file on the worker, then the attachment storage), updating progress."""
    import tempfile

    job.state = ExportJob.State.RUNNING
    job.total = drill.rows.count()
    job.save(update_fields=["state", "total"])

    def progress(done: int) -> None:
        ExportJob.objects.filter(pk=job.pk).update(done=done)

    try:
        with tempfile.TemporaryFile() as handle:
            written = drilldown_workbook(
                handle, drill, period_name=period_name, filters=filters, frozen=frozen, progress=progress
            )
            handle.seek(0)
            name = storage().save(f"exports/{uuid.uuid4().hex}.xlsx", File(handle))
    except Exception as error:  # recorded for the person waiting; the worker logs the traceback
        job.state, job.error = ExportJob.State.FAILED, repr(error)[:500]
        job.save(update_fields=["state", "error"])
        raise
    job.state, job.done, job.file_name = ExportJob.State.DONE, written, name
    job.save(update_fields=["state", "done", "file_name"])
    return job


def delete_expired_exports(*, now: dt.datetime | None = None) -> int:
    now = now or clock.now()
    expired = list(ExportJob.objects.filter(expires_at__lt=now))
    for job in expired:
        if job.file_name:
            storage().delete(job.file_name)
    ExportJob.objects.filter(pk__in=[job.pk for job in expired]).delete()
    return len(expired)


# ---------------------------------------------------------------- the year in review


def year_review(
    report: Report, targets: dict[str, Decimal], by_unit: Report, breakdowns: list[Report]
) -> bytes:
    """The year-in-review Word document: the report's sentence, the headline against targets, the breakdown
    tables and the best and worst units, in the style of the Commission's annual review."""
    from docx import Document

    year = report.period.start.year
    document = Document()
    document.add_heading(_("%(year)s年度企业服务工作总结（数据部分）") % {"year": year}, level=0)
    state = _state(report.is_frozen)
    document.add_paragraph(_("数据状态：%(state)s；生成时间：%(at)s。") % {"state": state, "at": _stamp()})
    document.add_heading(_("一、总体情况"), level=1)
    document.add_paragraph(report.sentence() + "。")
    document.add_heading(_("二、主要指标完成情况"), level=1)
    headlines = charts.headlines(report, targets, whole_year=True)
    table = document.add_table(rows=1, cols=5)
    table.style = "Table Grid"
    for cell, text in zip(
        table.rows[0].cells, [_("指标"), _("实际值"), _("目标值"), _("差距"), _("完成情况")], strict=True
    ):
        cell.text = text
    for item in headlines:
        cells = table.add_row().cells
        for cell, text in zip(
            cells,
            [item.figure.label, item.value, item.target or "—", item.gap or "—", item.status],
            strict=False,
        ):
            cell.text = str(text)
    document.add_heading(_("三、分组情况"), level=1)
    for breakdown in breakdowns:
        document.add_heading(str(dict(Breakdown.CHOICES)[breakdown.by]), level=2)
        keys = list(charts.TABLE_FIGURES)
        grid = document.add_table(rows=1, cols=len(keys) + 1)
        grid.style = "Table Grid"
        header = grid.rows[0].cells
        header[0].text = str(dict(Breakdown.CHOICES)[breakdown.by])
        for cell, key in zip(header[1:], keys, strict=True):
            cell.text = str(SPECS[key].label)
        for row in breakdown.rows:
            cells = grid.add_row().cells
            cells[0].text = row.label
            for cell, key in zip(cells[1:], keys, strict=True):
                cell.text = charts.shown(row.figures[key].value, SPECS[key].kind)
    document.add_heading(_("四、承办单位红黑榜"), level=1)
    for ranking in charts.rankings(by_unit):
        document.add_heading(ranking.label, level=2)
        best = "、".join(f"{name}（{value}）" for name, value in ranking.best) or _("暂无数据")
        worst = "、".join(f"{name}（{value}）" for name, value in ranking.worst) or _("暂无数据")
        document.add_paragraph(_("红榜：%(names)s") % {"names": best})
        document.add_paragraph(_("黑榜：%(names)s") % {"names": worst})
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def drill_from_query(query: str) -> tuple[Drill, str, str, bool]:
    """The drill-down a query string names (the same parameters as the page), with its period's name,
    filters in words and whether the period is frozen."""
    from django.http import QueryDict

    from services.reports.figures.drilldown import drill
    from services.reports.periods import PeriodForm
    from services.reports.snapshots import snapshot_of

    params = QueryDict(query)
    period = PeriodForm(params or None, today=timezone.localdate(clock.now())).period()
    by = params.get("by") if params.get("by") in Breakdown.VALUES else None
    key: Any = params.get("key") or None
    if by is not None and by != Breakdown.MONTH and key is not None:
        key = int(key)
    found = drill(period, params.get("part", ""), by=by, key=key)
    filters = f"{dict(Breakdown.CHOICES)[by]}：{key if key is not None else _('（无）')}" if by else ""
    return found, describe(period), filters, snapshot_of(period) is not None


def start_export(*, actor, query: str) -> ExportJob:
    """Queues a large export after the current transaction commits; the page follows its progress."""
    from functools import partial

    from django.db import transaction

    from services.reports.tasks import export_task

    found, period_name, _filters, _frozen = drill_from_query(query)
    now = clock.now()
    job = ExportJob.objects.create(
        requested_by=actor,
        query=query[:500],
        title=f"{found.label}（{period_name}）"[:200],
        created_at=now,
        expires_at=now + dt.timedelta(days=EXPORT_DAYS),
    )
    transaction.on_commit(partial(export_task.delay, job_id=job.pk))
    return job


def run_job(job_id: int) -> int:
    job = ExportJob.objects.filter(pk=job_id, state=ExportJob.State.QUEUED).first()
    if job is None:  # already done, running elsewhere, or expired: idempotent
        return 0
    found, period_name, filters, frozen = drill_from_query(job.query)
    run_export_job(job, found, period_name=period_name, filters=filters, frozen=frozen)
    return job.done
