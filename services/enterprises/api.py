"""``/api/v1/enterprises/``: the enterprises the caller may see, and their current specialist.

Reading is scoped by ``list_enterprises_for`` (an enterprise user sees its own, a specialist the ones it
serves, district and unit staff all); an enterprise outside that scope is "not found". Administrators may
register a new enterprise; everyone else is refused with the reason.
"""

import django_filters
from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from services.accounts import roles
from services.core.api import CursorPage, IdFilter, IsAuthenticatedActor, StrictBooleanFilter, error_responses
from services.core.errors import NotPermitted
from services.enterprises.actions import register_enterprise
from services.enterprises.models import Enterprise, Ladder, SpecialistAssignment
from services.enterprises.selectors import list_enterprises_for
from services.enterprises.serializers import (
    EnterpriseDetailSerializer,
    EnterpriseRegistrationSerializer,
    EnterpriseSerializer,
)
from services.enterprises.uscc import CODE_SET, normalise


def visible_enterprises(actor) -> QuerySet[Enterprise]:
    """The caller's enterprises with what the serializers show, in a fixed number of queries."""
    current = SpecialistAssignment.objects.filter(ended_on__isnull=True).select_related("specialist")
    return (
        list_enterprises_for(actor)
        .select_related("town", "park")
        .prefetch_related(Prefetch("assignments", queryset=current, to_attr="current_assignments"))
    )


class EnterpriseFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(
        method="filter_search",
        max_length=100,
        label="企业名称包含，或统一社会信用代码开头 / name contains, or USCC starts with",
    )
    town = IdFilter(field_name="town_id", label="镇街 ID / town id")
    park = IdFilter(field_name="park_id", label="园区 ID / park id")
    above_scale = StrictBooleanFilter(
        field_name="is_above_scale", label="规上工业企业 / above-scale industrial enterprise"
    )
    ladder = django_filters.ChoiceFilter(
        choices=[choice for choice in Ladder.choices if choice[0]], label="专精特新梯度 / SRDI ladder"
    )
    is_active = StrictBooleanFilter(label="在营 / active")

    class Meta:
        model = Enterprise
        fields = ["search", "town", "park", "above_scale", "ladder", "is_active"]

    def filter_search(self, queryset: QuerySet[Enterprise], name: str, value: str) -> QuerySet[Enterprise]:
        value = value.strip()
        if not value:
            return queryset
        matches = Q(name__icontains=value)
        code = normalise(value)
        if code and len(code) <= 18 and all(ch in CODE_SET for ch in code):
            matches |= Q(uscc__startswith=code)
        return queryset.filter(matches)


class EnterprisePage(CursorPage):
    ordering = ("name", "pk")


@extend_schema_view(
    get=extend_schema(
        operation_id="enterprises_list",
        tags=["enterprises"],
        summary="企业列表 / Enterprises",
        description=(
            "调用者可见的企业：企业用户只见本企业，服务专员只见包联企业，部门和区级人员可见全部。"
            "可按名称或统一社会信用代码搜索，按镇街、园区、规上、专精特新梯度筛选；按名称排序，游标分页。\n\n"
            "The enterprises the caller may see: an enterprise user its own, a specialist those it serves, "
            "unit and district staff all. Search by name or USCC; filter by town, park, above-scale and "
            "ladder; ordered by name, cursor-paginated."
        ),
        responses={200: EnterpriseSerializer(many=True), **error_responses(400, 401, 404)},
    ),
    post=extend_schema(
        operation_id="enterprises_create",
        tags=["enterprises"],
        summary="登记企业（系统管理员）/ Register an enterprise (administrators)",
        description=(
            "系统管理员登记一家企业。统一社会信用代码按 GB 32100-2015 校验（含校验位），不得与已登记企业重复。"
            "其他角色返回 403 并说明原因。\n\n"
            "An administrator registers an enterprise. The USCC is checked against GB 32100-2015 (check "
            "character included) and must not be registered already. Other roles get 403 with the reason."
        ),
        request=EnterpriseRegistrationSerializer,
        responses={201: EnterpriseDetailSerializer, **error_responses(400, 401, 403)},
    ),
)
class EnterpriseListView(generics.ListAPIView):
    permission_classes = [IsAuthenticatedActor]
    serializer_class = EnterpriseSerializer
    pagination_class = EnterprisePage
    filterset_class = EnterpriseFilter

    def get_queryset(self) -> QuerySet[Enterprise]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no caller
            return Enterprise.objects.none()
        return visible_enterprises(self.request.user)

    def post(self, request: Request) -> Response:
        actor = request.user
        if not roles.is_administrator(actor):
            # Refused before the body is read: whatever it says, this caller may not register.
            raise NotPermitted(_("只有系统管理员可以登记企业。"))
        serializer = EnterpriseRegistrationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        enterprise = register_enterprise(actor=actor, **serializer.validated_data)
        enterprise = visible_enterprises(actor).get(pk=enterprise.pk)
        return Response(EnterpriseDetailSerializer(enterprise).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(
        operation_id="enterprises_retrieve",
        tags=["enterprises"],
        summary="企业详情 / An enterprise",
        description=(
            "一家可见企业的详情，含联系人和在岗服务专员；不可见与不存在一样返回 404。\n\n"
            "One visible enterprise with its contacts and current specialist; one the caller may not see is "
            "404, exactly like one that does not exist."
        ),
        responses={200: EnterpriseDetailSerializer, **error_responses(401, 404)},
    )
)
class EnterpriseDetailView(generics.RetrieveAPIView):
    permission_classes = [IsAuthenticatedActor]
    serializer_class = EnterpriseDetailSerializer

    def get_queryset(self) -> QuerySet[Enterprise]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no caller
            return Enterprise.objects.none()
        return visible_enterprises(self.request.user)
