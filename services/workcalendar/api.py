"""``/api/v1/calendar/…``: the working-day calendar.

Everyone signed in may read it: ``days/`` says, for up to 366 days, which are working days and why, with a
warning for each year whose holidays are not known. Administrators enter holiday and make-up-day
overrides (``overrides/``) and mark a year's notice as entered (``years/``); anyone else who tries is refused
with 403 and the reason, and nothing changes.
"""

import datetime as dt

import django_filters
from django import forms
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from services.core.api import IsAuthenticatedActor, NumberedPage, error_responses
from services.workcalendar import actions
from services.workcalendar.calendar import days_between, warnings_for
from services.workcalendar.models import CalendarOverride, CalendarYear, DayKind
from services.workcalendar.serializers import (
    SOURCE_LABELS,
    CalendarDaysQuerySerializer,
    CalendarDaysSerializer,
    CalendarOverrideSerializer,
    CalendarYearChangeSerializer,
    CalendarYearSerializer,
)

ADMIN_ONLY = (
    "仅系统管理员；其他角色返回 403 并说明原因。\n\nAdministrators only; other roles get 403 with the reason."
)


class CalendarDaysView(APIView):
    permission_classes = [IsAuthenticatedActor]

    @extend_schema(
        operation_id="calendar_days",
        tags=["calendar"],
        summary="工作日查询 / Working days",
        description=(
            "给定起止日期（含，最多366天），返回每天是否工作日及其依据（管理员设定、国务院节假日安排、"
            "或该年未录入时按周一至周五推定），并对未覆盖的年份给出提示。\n\n"
            "For a range of at most 366 days (both ends included): whether each day is a working day and "
            "why (an administrator's override, the State Council's notice, or Monday–Friday for a year not "
            "covered), with a warning for each year not covered."
        ),
        parameters=[CalendarDaysQuerySerializer],
        responses={200: CalendarDaysSerializer, **error_responses(400, 401)},
    )
    def get(self, request: Request) -> Response:
        query = CalendarDaysQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        start: dt.date = query.validated_data["start"]
        end: dt.date = query.validated_data["end"]
        days = days_between(start, end)
        first_of_each_year = [dt.date(year, 1, 1) for year in range(start.year, end.year + 1)]
        body = {
            "start": start,
            "end": end,
            "working_days": sum(day.is_working_day for day in days),
            "days": [
                {
                    "date": day.date,
                    "weekday": day.date.isoweekday(),
                    "is_working_day": day.is_working_day,
                    "source": day.source,
                    "source_label": str(SOURCE_LABELS[day.source]),
                    "name": day.name,
                }
                for day in days
            ],
            "warnings": warnings_for(*first_of_each_year),
        }
        return Response(CalendarDaysSerializer(body).data)


class YearFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class OverrideFilter(django_filters.FilterSet):
    year = YearFilter(field_name="date__year", min_value=1, max_value=9999, label="年份 / year")
    kind = django_filters.ChoiceFilter(choices=DayKind.choices, label="类型 / kind")

    class Meta:
        model = CalendarOverride
        fields = ["year", "kind"]


class _EditedListView(generics.ListAPIView):
    """A list administrators add to: anyone else is refused before the body is read; one action writes."""

    permission_classes = [IsAuthenticatedActor]
    pagination_class = NumberedPage

    def create(self, actor, data: dict):
        raise NotImplementedError

    def post(self, request: Request) -> Response:
        actions.ensure_may_edit_calendar(request.user)
        serializer = self.serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        created = self.create(request.user, serializer.validated_data)
        return Response(self.serializer_class(created).data, status=status.HTTP_201_CREATED)


class _EditedDetailView(generics.RetrieveAPIView):
    """One row administrators change (PUT, PATCH through ``change_serializer_class``) or remove."""

    permission_classes = [IsAuthenticatedActor]
    change_serializer_class: type

    def change(self, actor, row, data: dict):
        raise NotImplementedError

    def remove(self, actor, row) -> None:
        raise NotImplementedError

    def _change(self, request: Request, *, partial: bool) -> Response:
        row = self.get_object()
        actions.ensure_may_edit_calendar(request.user)
        serializer = self.change_serializer_class(row, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        row = self.change(request.user, row, serializer.validated_data)
        return Response(self.serializer_class(row).data)

    def put(self, request: Request, **kwargs) -> Response:
        return self._change(request, partial=False)

    def patch(self, request: Request, **kwargs) -> Response:
        return self._change(request, partial=True)

    def delete(self, request: Request, **kwargs) -> Response:
        self.remove(request.user, self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


def _overrides() -> QuerySet[CalendarOverride]:
    return CalendarOverride.objects.order_by("date", "pk")


@extend_schema_view(
    get=extend_schema(
        operation_id="calendar_overrides_list",
        tags=["calendar"],
        summary="节假日与调休设定 / Holiday overrides",
        description=(
            "管理员录入的节假日和调休上班日（优先于国务院安排），按日期排序，可按年份和类型筛选。\n\n"
            "The holidays and make-up working days administrators entered (they take precedence over the "
            "State Council's notice), by date, filterable by year and kind."
        ),
        responses={200: CalendarOverrideSerializer(many=True), **error_responses(400, 401, 404)},
    ),
    post=extend_schema(
        operation_id="calendar_overrides_create",
        tags=["calendar"],
        summary="新增节假日或调休 / Add an override",
        description=f"把某天设为休息日或调休上班日。{ADMIN_ONLY}",
        request=CalendarOverrideSerializer,
        responses={201: CalendarOverrideSerializer, **error_responses(400, 401, 403)},
    ),
)
class OverrideListView(_EditedListView):
    serializer_class = CalendarOverrideSerializer
    filterset_class = OverrideFilter

    def get_queryset(self) -> QuerySet[CalendarOverride]:
        return _overrides()

    def create(self, actor, data: dict) -> CalendarOverride:
        return actions.set_override(actor=actor, **data)


@extend_schema_view(
    get=extend_schema(
        operation_id="calendar_overrides_retrieve",
        tags=["calendar"],
        summary="一条节假日或调休设定 / An override",
        description="一条节假日或调休设定。\n\nOne override.",
        responses={200: CalendarOverrideSerializer, **error_responses(401, 404)},
    ),
    put=extend_schema(
        operation_id="calendar_overrides_update",
        tags=["calendar"],
        summary="修改节假日或调休 / Replace an override",
        description=f"修改日期、类型、名称和备注。{ADMIN_ONLY}",
        request=CalendarOverrideSerializer,
        responses={200: CalendarOverrideSerializer, **error_responses(400, 401, 403, 404)},
    ),
    patch=extend_schema(
        operation_id="calendar_overrides_partial_update",
        tags=["calendar"],
        summary="部分修改节假日或调休 / Change an override",
        description=f"只修改所给的字段。{ADMIN_ONLY}",
        request=CalendarOverrideSerializer,
        responses={200: CalendarOverrideSerializer, **error_responses(400, 401, 403, 404)},
    ),
    delete=extend_schema(
        operation_id="calendar_overrides_destroy",
        tags=["calendar"],
        summary="删除节假日或调休 / Remove an override",
        description=f"删除后该日按国务院安排或周一至周五计算。{ADMIN_ONLY}",
        responses={204: None, **error_responses(401, 403, 404)},
    ),
)
class OverrideDetailView(_EditedDetailView):
    serializer_class = CalendarOverrideSerializer
    change_serializer_class = CalendarOverrideSerializer

    def get_queryset(self) -> QuerySet[CalendarOverride]:
        return _overrides()

    def change(self, actor, row: CalendarOverride, data: dict) -> CalendarOverride:
        return actions.change_override(actor=actor, override=row, **data)

    def remove(self, actor, row: CalendarOverride) -> None:
        actions.remove_override(actor=actor, override=row)


@extend_schema_view(
    get=extend_schema(
        operation_id="calendar_years_list",
        tags=["calendar"],
        summary="已录入年度 / Entered years",
        description=(
            "管理员已完整录入节假日安排的年份；这些年份不再提示按周一至周五计算。\n\n"
            "The years whose whole holiday notice administrators have entered; these no longer warn."
        ),
        responses={200: CalendarYearSerializer(many=True), **error_responses(400, 401, 404)},
    ),
    post=extend_schema(
        operation_id="calendar_years_create",
        tags=["calendar"],
        summary="登记已录入年度 / Mark a year entered",
        description=f"声明某年的节假日和调休已全部录入。{ADMIN_ONLY}",
        request=CalendarYearSerializer,
        responses={201: CalendarYearSerializer, **error_responses(400, 401, 403)},
    ),
)
class YearListView(_EditedListView):
    serializer_class = CalendarYearSerializer
    filter_backends: list = []

    def get_queryset(self) -> QuerySet[CalendarYear]:
        return CalendarYear.objects.order_by("-year")

    def create(self, actor, data: dict) -> CalendarYear:
        return actions.record_year(actor=actor, **data)


@extend_schema_view(
    get=extend_schema(
        operation_id="calendar_years_retrieve",
        tags=["calendar"],
        summary="一个已录入年度 / An entered year",
        description="一个已录入年度。\n\nOne entered year.",
        responses={200: CalendarYearSerializer, **error_responses(401, 404)},
    ),
    put=extend_schema(
        operation_id="calendar_years_update",
        tags=["calendar"],
        summary="修改已录入年度 / Replace an entered year's notice and note",
        description=f"修改通知名称和备注（年份不变）。{ADMIN_ONLY}",
        request=CalendarYearChangeSerializer,
        responses={200: CalendarYearSerializer, **error_responses(400, 401, 403, 404)},
    ),
    patch=extend_schema(
        operation_id="calendar_years_partial_update",
        tags=["calendar"],
        summary="部分修改已录入年度 / Change an entered year",
        description=f"只修改所给的字段。{ADMIN_ONLY}",
        request=CalendarYearChangeSerializer,
        responses={200: CalendarYearSerializer, **error_responses(400, 401, 403, 404)},
    ),
    delete=extend_schema(
        operation_id="calendar_years_destroy",
        tags=["calendar"],
        summary="撤销已录入年度 / Unmark a year",
        description=f"该年重新按是否有国务院安排判断；已录入的节假日设定保留。{ADMIN_ONLY}",
        responses={204: None, **error_responses(401, 403, 404)},
    ),
)
class YearDetailView(_EditedDetailView):
    serializer_class = CalendarYearSerializer
    change_serializer_class = CalendarYearChangeSerializer
    lookup_field = "year"

    def get_queryset(self) -> QuerySet[CalendarYear]:
        return CalendarYear.objects.all()

    def change(self, actor, row: CalendarYear, data: dict) -> CalendarYear:
        return actions.change_year(actor=actor, calendar_year=row, **data)

    def remove(self, actor, row: CalendarYear) -> None:
        actions.remove_year(actor=actor, calendar_year=row)
