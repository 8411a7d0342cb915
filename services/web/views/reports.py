"""统计报表: the dashboard of DESIGN §6 for dispatchers, leaders and administrators, the list behind every
number, annual targets, closing a period and the recompute view. Everyone else gets 404. Views parse, read
through ``services.reports`` and render; writes go through ``services.reports.actions``."""

from __future__ import annotations

import io
from decimal import Decimal
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from services.accounts import roles
from services.core import clock
from services.core.errors import ActionRefused, InvalidInput
from services.reports import actions, charts, exports
from services.reports.figures import FIGURES, SPECS, Breakdown, Kind
from services.reports.figures.drilldown import PARTS, drill
from services.reports.models import AnnualTarget, ExportJob, Figure, TargetChange
from services.reports.periods import PeriodForm, describe, query_of
from services.reports.selectors import targets_of_year
from services.reports.snapshots import differences, period_kind, possible_reasons, report_for, snapshot_of
from services.visits.coverage import Period
from services.web.access import sees_district_figures

PAGE_SIZE = 50


def _reader(request: HttpRequest) -> None:
    if not sees_district_figures(request.user):
        raise Http404


def _period_form(request: HttpRequest) -> PeriodForm:
    return PeriodForm(request.GET or None, today=timezone.localdate(clock.now()))


def _breakdown(request: HttpRequest, default: str | None = Breakdown.UNIT) -> str | None:
    by = request.GET.get("by")
    return by if by in Breakdown.VALUES else default


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    _reader(request)
    form = _period_form(request)
    period = form.period()
    by = _breakdown(request)
    chart_figure = request.GET.get("figure")
    if chart_figure not in SPECS:
        chart_figure = Figure.ISSUES_LOGGED
    rows = report_for(period, by=by)
    totals = rows  # a breakdown's report carries the period's totals too: not computed a second time
    by_unit = rows if by == Breakdown.UNIT else report_for(period, by=Breakdown.UNIT, totals_from=rows)
    by_month = rows if by == Breakdown.MONTH else report_for(period, by=Breakdown.MONTH, totals_from=rows)
    kind = period_kind(period)
    targets = targets_of_year(period.start.year).get(None, {}) if kind else {}
    chart = charts.bar_chart(rows, chart_figure)
    trend = charts.bar_chart(by_month, Figure.ISSUES_LOGGED)
    table = [
        (
            row,
            [
                (key, row.figures[key], charts.shown(row.figures[key].value, SPECS[key].kind))
                for key in charts.TABLE_FIGURES
            ],
        )
        for row in rows.rows
    ]
    return render(
        request,
        "web/reports/dashboard.html",
        {
            "form": form,
            "period": period,
            "period_name": describe(period),
            "query": query_of(period),
            "report": totals,
            "headlines": charts.headlines(totals, targets, whole_year=kind == "year"),
            "by": by,
            "breakdowns": Breakdown.CHOICES,
            "by_label": dict(Breakdown.CHOICES)[by],
            "table_specs": [SPECS[key] for key in charts.TABLE_FIGURES],
            "table": table,
            "chart": chart,
            "chart_figure": chart_figure,
            "chart_choices": [
                spec for spec in FIGURES if any(r.figures[spec.key].value is not None for r in rows.rows)
            ],
            "trend": trend,
            "rankings": charts.rankings(by_unit),
            "may_close": roles.is_administrator(request.user)
            and kind is not None
            and not totals.is_frozen
            and totals.is_final,
            "is_administrator": roles.is_administrator(request.user),
        },
    )


@login_required
def drilldown(request: HttpRequest, part: str) -> HttpResponse:
    _reader(request)
    if part not in PARTS:
        raise Http404
    form = _period_form(request)
    period = form.period()
    by = _breakdown(request, default=None)
    key: str | int | None = request.GET.get("key") or None
    if by is not None and key is not None and by != Breakdown.MONTH:
        try:
            key = int(key)
        except ValueError:
            raise Http404 from None
    if by == Breakdown.MONTH and key is not None and len(str(key)) != 7:
        raise Http404
    try:
        found = drill(period, part, by=by, key=key)
    except (ValueError, StopIteration):
        raise Http404 from None
    page = Paginator(found.rows, PAGE_SIZE).get_page(request.GET.get("page"))
    row_label = ""
    if by is not None:
        row_label = _row_label(by, key)
    return render(
        request,
        "web/reports/drilldown.html",
        {
            "drill": found,
            "page": page,
            "period": period,
            "period_name": describe(period),
            "query": query_of(period),
            "by_label": dict(Breakdown.CHOICES).get(by, ""),
            "row_label": row_label,
            "frozen": snapshot_of(period) is not None,
            "export_query": request.GET.urlencode(),
            "part": part,
        },
    )


def _row_label(by: str, key) -> str:
    if key is None:
        return _("（无）")
    if by == Breakdown.MONTH:
        return str(key)
    from services.reports.figures.breakdowns import ROW_NAMES

    model, name_field, _none = ROW_NAMES[by]
    return str(model.objects.filter(pk=key).values_list(name_field, flat=True).first() or key)


# ---------------------------------------------------------------- targets


@login_required
def targets(request: HttpRequest) -> HttpResponse:
    _reader(request)
    try:
        year = int(
            request.GET.get("year") or request.POST.get("year") or timezone.localdate(clock.now()).year
        )
    except ValueError:
        year = timezone.localdate(clock.now()).year
    year = min(max(year, actions.FIRST_YEAR), actions.LAST_YEAR)
    errors: dict[str, list[str]] = {}
    typed: dict[str, str] = {}
    if request.method == "POST":
        if not roles.is_administrator(request.user):
            raise Http404
        figure = request.POST.get("figure", "")
        typed = {
            "figure": figure,
            "value": request.POST.get("value", ""),
            "note": request.POST.get("note", ""),
        }
        try:
            actions.set_target(
                actor=request.user,
                year=year,
                figure=figure,
                unit=None,
                value=typed["value"],
                note=typed["note"],
            )
        except InvalidInput as refusal:
            errors = refusal.errors
        else:
            messages.success(request, _("已保存%(year)s年的目标。") % {"year": year})
            return redirect(f"{reverse('web:reports-targets')}?year={year}")
    current = {t.figure: t for t in AnnualTarget.objects.filter(year=year, unit__isnull=True)}
    rows = [
        {
            "key": value,
            "label": label,
            "kind": SPECS[value].kind if value in SPECS else Kind.COUNT,
            "target": current.get(value),
            "errors": errors if typed.get("figure") == value else {},
            "typed": typed if typed.get("figure") == value else {},
        }
        for value, label in Figure.choices
    ]
    history = TargetChange.objects.filter(year=year).select_related("actor", "unit")[:30]
    return render(
        request,
        "web/reports/targets.html",
        {
            "year": year,
            "rows": rows,
            "history": history,
            "may_edit": roles.is_administrator(request.user),
            "status": 400 if errors else 200,
        },
        status=400 if errors else 200,
    )


# ---------------------------------------------------------------- closing and recomputing


@require_POST
@login_required
def close(request: HttpRequest) -> HttpResponse:
    if not roles.is_administrator(request.user):
        raise Http404
    form = PeriodForm(request.POST, today=timezone.localdate(clock.now()))
    period = form.period()
    try:
        actions.close_period(actor=request.user, period=period, reason=request.POST.get("reason", ""))
    except ActionRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("%(period)s已关账，数据已冻结。") % {"period": describe(period)})
    return redirect(f"{reverse('web:reports')}?{query_of(period)}")


@login_required
def recompute(request: HttpRequest) -> HttpResponse:
    if not roles.is_administrator(request.user):
        raise Http404
    period = _period_form(request).period()
    snapshot = snapshot_of(period)
    if snapshot is None:
        raise Http404
    found = differences(snapshot)
    labels = dict(Breakdown.CHOICES)
    rows = [
        {
            "where": labels.get(d.breakdown, _("全区合计")) if d.breakdown else _("全区合计"),
            "row": d.row,
            "figure": d.figure,
            "frozen": _shown_by_label(d.figure, d.frozen),
            "live": _shown_by_label(d.figure, d.live),
        }
        for d in found
    ]
    return render(
        request,
        "web/reports/recompute.html",
        {
            "period_name": describe(period),
            "query": query_of(period),
            "snapshot": snapshot,
            "rows": rows,
            "reasons": possible_reasons(snapshot) if found else [],
        },
    )


def _shown_by_label(label: str, value: int | Decimal | None) -> str:
    kind = next((spec.kind for spec in FIGURES if str(spec.label) == label), Kind.COUNT)
    return charts.shown(value, kind)


# ---------------------------------------------------------------- exports


def _download(content: bytes, name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@login_required
def export(request: HttpRequest) -> HttpResponse:
    """Excel of the headline, a breakdown or a drill-down list; a long list goes to a Celery worker."""
    _reader(request)
    period = _period_form(request).period()
    table = request.GET.get("table")
    buffer = io.BytesIO()
    stamp = f"{timezone.localtime(clock.now()):%Y%m%d%H%M}"
    if table == "summary":
        report = report_for(period)
        kind = period_kind(period)
        targets = targets_of_year(period.start.year).get(None, {}) if kind == "year" else {}
        exports.summary_workbook(buffer, report, targets)
        name = f"{describe(period)}统计报表-{stamp}.xlsx"
    elif table == "breakdown":
        report = report_for(period, by=_breakdown(request))
        exports.breakdown_workbook(buffer, report)
        name = f"{describe(period)}分组统计-{stamp}.xlsx"
    elif table == "drilldown":
        query = request.GET.urlencode()
        try:
            found, period_name, filters, frozen = exports.drill_from_query(query)
        except (ValueError, StopIteration):
            raise Http404 from None
        if found.rows.count() > exports.LARGE_EXPORT_ROWS:
            job = exports.start_export(actor=request.user, query=query)
            return redirect("web:reports-export-status", pk=job.pk)
        exports.drilldown_workbook(buffer, found, period_name=period_name, filters=filters, frozen=frozen)
        name = f"{found.label}-{period_name}-{stamp}.xlsx"
    else:
        raise Http404
    return _download(buffer.getvalue(), name, exports.XLSX)


def _own_job(request: HttpRequest, pk: int) -> ExportJob:
    _reader(request)
    job = ExportJob.objects.filter(pk=pk, requested_by=request.user, expires_at__gt=clock.now()).first()
    if job is None:
        raise Http404
    return job


@login_required
def export_status(request: HttpRequest, pk: int) -> HttpResponse:
    job = _own_job(request, pk)
    return render(request, "web/reports/export_status.html", {"job": job})


@login_required
def export_download(request: HttpRequest, pk: int) -> HttpResponse:
    job = _own_job(request, pk)
    if job.state != ExportJob.State.DONE:
        raise Http404
    response = FileResponse(exports.storage().open(job.file_name, "rb"), content_type=exports.XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(job.title + '.xlsx')}"
    return response


@login_required
def year_review(request: HttpRequest) -> HttpResponse:
    _reader(request)
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        raise Http404 from None
    if not actions.FIRST_YEAR <= year <= actions.LAST_YEAR:
        raise Http404
    period = Period.year(year)
    report = report_for(period)
    by_unit = report_for(period, by=Breakdown.UNIT)
    breakdowns = [by_unit] + [
        report_for(period, by=by) for by in (Breakdown.CATEGORY, Breakdown.TOWN, Breakdown.PARK)
    ]
    content = exports.year_review(report, targets_of_year(year).get(None, {}), by_unit, breakdowns)
    return _download(content, f"{year}年度企业服务工作总结.docx", exports.DOCX)
