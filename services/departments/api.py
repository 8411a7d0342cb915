"""``GET /api/v1/units/`` and ``/units/{id}/``: the units that handle dispatched problems.

Every signed-in person may read the active units: enterprises see who handles their problems, dispatchers
choose among them. Changing units is the administrators' business in the Django admin.
"""

import django_filters
from django.db.models import Q, QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics

from services.core.api import IsAuthenticatedActor, NumberedPage, error_responses
from services.departments.models import Unit, UnitKind
from services.departments.serializers import UnitSerializer


def active_units() -> QuerySet[Unit]:
    return Unit.objects.filter(is_active=True).order_by("kind", "code", "pk")


class UnitFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=UnitKind.choices, label="类型 / kind")
    search = django_filters.CharFilter(
        method="filter_search", max_length=100, label="名称或简称包含 / name or short name contains"
    )

    class Meta:
        model = Unit
        fields = ["kind", "search"]

    def filter_search(self, queryset: QuerySet[Unit], name: str, value: str) -> QuerySet[Unit]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(short_name__icontains=value) | Q(code=value))


@extend_schema_view(
    get=extend_schema(
        operation_id="units_list",
        tags=["units"],
        summary="承办单位列表 / Units",
        description=(
            "启用中的承办单位（区级部门、公用事业单位、园区管委会、镇街），可按类型筛选、按名称搜索。\n\n"
            "The active units (departments, utilities, park committees, towns), filterable by kind and "
            "searchable by name."
        ),
        responses={200: UnitSerializer(many=True), **error_responses(400, 401, 404)},
    )
)
class UnitListView(generics.ListAPIView):
    permission_classes = [IsAuthenticatedActor]
    serializer_class = UnitSerializer
    pagination_class = NumberedPage
    filterset_class = UnitFilter

    def get_queryset(self) -> QuerySet[Unit]:
        return active_units()


@extend_schema_view(
    get=extend_schema(
        operation_id="units_retrieve",
        tags=["units"],
        summary="承办单位详情 / A unit",
        description="一个启用中的承办单位。\n\nOne active unit.",
        responses={200: UnitSerializer, **error_responses(401, 404)},
    )
)
class UnitDetailView(generics.RetrieveAPIView):
    permission_classes = [IsAuthenticatedActor]
    serializer_class = UnitSerializer

    def get_queryset(self) -> QuerySet[Unit]:
        return active_units()
