"""``/api/v1/reports/summary/`` and ``/api/v1/targets/``.

The summary gives every figure of DESIGN §6 for a year (``services.reports.figures`` defines them), each
beside its annual target, optionally broken down by unit, category, town, park or month, and the report's
sentence from the same counts. Dispatchers, leaders and administrators read it; every other role is refused
with 403, an anonymous caller with 401.

Targets: the district-wide roles read them; only administrators create, change and delete them.

Which target sits beside a figure:

* the totals: the district's targets; with ``?unit=`` that unit's targets, and for a rate without a unit
  target the district's rate (a rate compares across units, a count does not);
* rows by unit: each unit's targets, rates falling back as above;
* rows by category, town, park or month: the rate targets of the totals; counts have none (an annual count
  target does not apply to a slice of the year or district).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, generics, permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from services.core.api import IsAdministrator, IsDistrictWide, NumberedPage, error_responses
from services.core.errors import InvalidInput, NotPermitted
from services.reports import actions
from services.reports.figures import FIGURES, Breakdown, FigureValue, Kind, Report
from services.reports.models import AnnualTarget, Figure
from services.reports.selectors import get_target_for, targets_of_year, visible_targets
from services.reports.serializers import (
    AnnualTargetSerializer,
    ReportSummaryQuerySerializer,
    ReportSummarySerializer,
)
from services.reports.snapshots import report_for

Targets = dict[str, Decimal]


class MayReadReports(IsDistrictWide):
    message = _("只有调度员、区领导和系统管理员可以查看统计报表。")


class MayReadTargets(IsDistrictWide):
    message = _("只有调度员、区领导和系统管理员可以查看年度目标。")


class MayEditTargets(IsAdministrator):
    message = _("只有系统管理员可以设定年度目标。")


# ---------------------------------------------------------------- the summary


def _rates_only(targets: Targets) -> Targets:
    rates = {spec.key for spec in FIGURES if spec.kind == Kind.RATE}
    return {figure: value for figure, value in targets.items() if figure in rates}


def _figures_body(figures: dict[str, FigureValue], targets: Targets) -> dict[str, dict[str, Any]]:
    return {
        key: {
            "value": figure.value,
            "target": targets.get(key),
            "label": figure.label,
            "kind": figure.kind,
            "numerator": figure.numerator,
            "denominator": figure.denominator,
            "parts": figure.parts,
        }
        for key, figure in figures.items()
    }


def summary_body(report: Report, year: int, table: dict[int | None, Targets]) -> dict[str, Any]:
    district = table.get(None, {})
    if report.unit_id is None:
        totals_targets = district
    else:
        totals_targets = {**_rates_only(district), **table.get(report.unit_id, {})}
    rows = []
    for row in report.rows:
        if report.by == Breakdown.UNIT:
            row_targets = {**_rates_only(totals_targets), **(table.get(row.key, {}) if row.key else {})}
        else:
            row_targets = _rates_only(totals_targets)
        rows.append({"key": row.key, "label": row.label, "figures": _figures_body(row.figures, row_targets)})
    return {
        "year": year,
        "unit": report.unit_id,
        "by": report.by,
        "as_of": report.as_of,
        "is_final": report.is_final,
        "is_frozen": report.is_frozen,
        "frozen_at": report.frozen_at,
        "figures": _figures_body(report.figures, totals_targets),
        "rows": rows,
        # The sentence speaks for the district; a unit's figures have no sentence of their own.
        "sentence": report.sentence() if report.unit_id is None else None,
        "warnings": report.warnings,
    }


class ReportSummaryView(APIView):
    permission_classes = [MayReadReports]

    @extend_schema(
        operation_id="reports_summary",
        tags=["reports"],
        summary="年度统计汇总 / Figures of a year",
        description=(
            "某年度的各项指标（服务专员人数、服务企业数、走访次数、实地遍访率、录入问题数、签收率、按时签收率、"
            "办结率、按时办结率、回访率、响应率、解决率、满意率、重办率、退回率、平均办理时长（工作日）、"
            "当前超期环节数），每项附年度目标；比率为0到1之间的小数，无分母时为 null。"
            "可按承办单位、一级分类、镇街、园区或月份分组（by），可只看一个承办单位（unit，目标取该单位的）。"
            "年度结束后数据按年末状态计算；关账后读取冻结数据（is_frozen），不再变化。各指标的口径见 services/reports/figures.py。"
            "仅调度员、区领导和系统管理员可查看。\n\n"
            "Every figure of the year (specialists, enterprises served, visits, on-site coverage, issues "
            "logged, sign and on-time sign rates, closure and on-time closure rates, follow-up, contact, "
            "solved and satisfaction rates, reopen and send-back rates, average handling time in working "
            "days, clocks overdue now), each beside its annual target; rates are fractions between 0 and 1, "
            "null without a denominator. Optionally broken down (`by`) by unit, level-1 category, town, park "
            "or month, or restricted to one unit (`unit`, against that unit's targets). A finished year is "
            "judged as of its end and no longer changes. The definitions are in services/reports/figures.py. "
            "Dispatchers, leaders and administrators only."
        ),
        parameters=[ReportSummaryQuerySerializer],
        responses={200: ReportSummarySerializer, **error_responses(400, 401, 403)},
    )
    def get(self, request: Request) -> Response:
        query = ReportSummaryQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        year: int = query.validated_data["year"]
        unit = query.validated_data.get("unit")
        report = report_for(year, by=query.validated_data.get("by"), unit=unit)
        body = summary_body(report, year, targets_of_year(year))
        return Response(ReportSummarySerializer(body).data)


# ---------------------------------------------------------------- annual targets


class TargetFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(label="年度 / year")
    figure = django_filters.ChoiceFilter(choices=Figure.choices, label="指标 / figure")
    unit = django_filters.NumberFilter(field_name="unit_id", label="单位编号 / unit id")
    district = django_filters.BooleanFilter(
        field_name="unit", lookup_expr="isnull", label="只看全区目标 / district-wide targets only"
    )

    class Meta:
        model = AnnualTarget
        fields = ["year", "figure", "unit", "district"]


class _TargetPermissions:
    """Reading needs a district-wide role; writing needs an administrator."""

    def get_permissions(self) -> list[permissions.BasePermission]:
        if self.request.method in permissions.SAFE_METHODS:
            return [MayReadTargets()]
        return [MayReadTargets(), MayEditTargets()]

    # Writes go through the actions, which record who changed what (``TargetChange``).
    def perform_create(self, serializer: AnnualTargetSerializer) -> None:
        data = serializer.validated_data
        with _refusals_as_400():
            serializer.instance = actions.set_target(
                actor=self.request.user,
                year=data["year"],
                figure=data["figure"],
                unit=data.get("unit"),
                value=data["value"],
                note=data.get("note", ""),
            )

    def perform_update(self, serializer: AnnualTargetSerializer) -> None:
        with _refusals_as_400():
            serializer.instance = actions.change_target(
                actor=self.request.user, target=serializer.instance, **serializer.validated_data
            )

    def perform_destroy(self, instance: AnnualTarget) -> None:
        with _refusals_as_400():
            actions.delete_target(actor=self.request.user, target=instance)


@contextmanager
def _refusals_as_400() -> Iterator[None]:
    try:
        yield
    except InvalidInput as refusal:
        raise serializers.ValidationError(refusal.errors) from None
    except NotPermitted as refusal:
        raise exceptions.PermissionDenied(refusal.message) from None


TARGET_ROLES = (
    "调度员、区领导和系统管理员可查看；仅系统管理员可新增、修改和删除，其他角色返回 403。\n\n"
    "Dispatchers, leaders and administrators read; only administrators create, change and delete "
    "(others get 403)."
)


@extend_schema_view(
    get=extend_schema(
        operation_id="targets_list",
        tags=["targets"],
        summary="年度目标列表 / Annual targets",
        description=(
            "各年度各指标的目标值，单位为空表示全区目标；可按年度、指标、单位筛选。比率填0到1之间的小数。\n\n"
            "The target of each figure for each year; an empty unit means district-wide. Filter by year, "
            "figure or unit. Rates are fractions between 0 and 1.\n\n" + TARGET_ROLES
        ),
        # 404: a page number past the end.
        responses={200: AnnualTargetSerializer(many=True), **error_responses(400, 401, 403, 404)},
    ),
    post=extend_schema(
        operation_id="targets_create",
        tags=["targets"],
        summary="新增年度目标 / Set an annual target",
        description=(
            "一个年度、一个指标、一个单位（或全区）只能有一个目标；比率类目标在0到1之间，计数类目标为整数。\n\n"
            "One target per year, figure and unit (or the district); a rate between 0 and 1, a count a whole "
            "number.\n\n" + TARGET_ROLES
        ),
        request=AnnualTargetSerializer,
        responses={201: AnnualTargetSerializer, **error_responses(400, 401, 403)},
    ),
)
class TargetListView(_TargetPermissions, generics.ListCreateAPIView):
    serializer_class = AnnualTargetSerializer
    pagination_class = NumberedPage
    filterset_class = TargetFilter

    def get_queryset(self) -> QuerySet[AnnualTarget]:
        return visible_targets(self.request.user)


@extend_schema_view(
    get=extend_schema(
        operation_id="targets_retrieve",
        tags=["targets"],
        summary="年度目标详情 / An annual target",
        description="一个年度目标。\n\nOne annual target.\n\n" + TARGET_ROLES,
        responses={200: AnnualTargetSerializer, **error_responses(401, 403, 404)},
    ),
    patch=extend_schema(
        operation_id="targets_partial_update",
        tags=["targets"],
        summary="修改年度目标 / Change an annual target",
        description="修改目标值、说明等，规则同新增。\n\nChange the value, note or other fields; the rules of "
        "creating apply.\n\n" + TARGET_ROLES,
        request=AnnualTargetSerializer,
        responses={200: AnnualTargetSerializer, **error_responses(400, 401, 403, 404)},
    ),
    delete=extend_schema(
        operation_id="targets_destroy",
        tags=["targets"],
        summary="删除年度目标 / Delete an annual target",
        description="删除一个年度目标。\n\nDelete one annual target.\n\n" + TARGET_ROLES,
        responses={204: None, **error_responses(401, 403, 404)},
    ),
)
class TargetDetailView(_TargetPermissions, generics.RetrieveUpdateDestroyAPIView):
    serializer_class = AnnualTargetSerializer
    http_method_names = ["get", "patch", "delete", "head", "options"]

    def get_object(self) -> AnnualTarget:
        target = get_target_for(actor=self.request.user, target_id=self.kwargs["pk"])
        self.check_object_permissions(self.request, target)
        return target
