"""``/api/v1/visits/``: the visits the caller may see; a serving specialist logs a new one.

Reading is scoped by ``list_visits_for`` (a specialist sees its own visits, an enterprise the visits to it,
dispatchers, leaders and administrators all); a visit outside that scope is "not found". Logging goes
through ``log_visit``, which files each problem found as an issue linked to the visit, all or nothing.
"""

import datetime as dt
import logging

import django_filters
from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from services.accounts.models import Role, User
from services.core.api import CursorPage, IdFilter, IsAuthenticatedActor, error_responses
from services.core.errors import NotPermitted
from services.issues.models import Issue
from services.issues.selectors import visible_issues
from services.visits.actions import CONDITION_FIELDS, SNAPSHOT_FIELDS, FoundProblem, log_visit
from services.visits.models import Method, Visit, VisitPhoto
from services.visits.selectors import list_visits_for
from services.visits.serializers import VisitCreateSerializer, VisitDetailSerializer, VisitSerializer

logger = logging.getLogger(__name__)
PHOTO_CONTENT_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
LOG_REFUSAL = _("只有该企业的包联服务专员可以录入走访记录。")


def _problems_found() -> Coalesce:
    counted = (
        Issue.objects.filter(visit_id=OuterRef("pk"))
        .order_by()
        .values("visit_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted), 0)


def visits_for_list(actor: User) -> QuerySet[Visit]:
    return list_visits_for(actor).annotate(problems_found=_problems_found())


def visits_for_detail(actor: User) -> QuerySet[Visit]:
    issues = visible_issues(actor).order_by("created_at", "pk")
    return visits_for_list(actor).prefetch_related(
        "companions", "photos", Prefetch("issues", queryset=issues, to_attr="visible_issues")
    )


def _start_of_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class VisitFilter(django_filters.FilterSet):
    enterprise = IdFilter(field_name="enterprise_id", label="企业 ID / enterprise id")
    specialist = IdFilter(field_name="specialist_id", label="服务专员 ID / specialist id")
    method = django_filters.ChoiceFilter(choices=Method.choices, label="走访方式 / method")
    visited_from = django_filters.DateFilter(
        method="filter_from", label="走访日期起（含）/ visited on or after (date)"
    )
    visited_to = django_filters.DateFilter(
        method="filter_to", label="走访日期止（含）/ visited on or before (date)"
    )

    class Meta:
        model = Visit
        fields = ["enterprise", "specialist", "method", "visited_from", "visited_to"]

    # Whole local days (Asia/Shanghai), as a range on the indexed timestamp.
    def filter_from(self, queryset: QuerySet[Visit], name: str, value: dt.date) -> QuerySet[Visit]:
        return queryset.filter(visited_at__gte=_start_of_day(value))

    def filter_to(self, queryset: QuerySet[Visit], name: str, value: dt.date) -> QuerySet[Visit]:
        if value >= dt.date.max - dt.timedelta(days=1):
            return queryset
        return queryset.filter(visited_at__lt=_start_of_day(value + dt.timedelta(days=1)))


class VisitPage(CursorPage):
    ordering = ("-visited_at", "-pk")


@extend_schema_view(
    get=extend_schema(
        operation_id="visits_list",
        tags=["visits"],
        summary="走访记录 / Visits",
        description=(
            "调用者可见的走访记录：服务专员看自己的，企业用户看本企业的，调度员、区领导和管理员看全部，"
            "部门人员无。可按企业、专员、方式、日期筛选；按走访时间倒序，游标分页。\n\n"
            "The visits the caller may see: a specialist its own, an enterprise user its enterprise's, "
            "dispatchers, leaders and administrators all, unit staff none. Filter by enterprise, "
            "specialist, method and date; newest first, cursor-paginated."
        ),
        responses={200: VisitSerializer(many=True), **error_responses(400, 401, 404)},
    ),
    post=extend_schema(
        operation_id="visits_create",
        tags=["visits"],
        summary="录入走访（包联专员）/ Log a visit (the serving specialist)",
        description=(
            "企业的包联服务专员录入一次走访：时间、方式、接待人员、同行人员、经营情况、政策宣讲、意见建议，"
            "以及发现的问题（每条生成一件与本次走访关联的诉求）。全部成功或全部不写。"
            "带上客户端生成的 client_key，重复提交（离线补发、网络中断后重试）返回首次录入的结果。"
            "其他角色返回 403 并说明原因；不在调用者可见范围的企业视同不存在。\n\n"
            "The enterprise's serving specialist logs a visit: when, how, who was met, companions, the "
            "operating snapshot, policies explained, suggestions, and the problems found (each becomes an "
            "issue linked to the visit). All or nothing. With a client-made client_key, a repeat (an offline "
            "queue catching up, a retry after a lost response) returns the first result. Other roles get 403 with the reason; an "
            "enterprise the caller may not see is treated as one that does not exist."
        ),
        request=VisitCreateSerializer,
        responses={201: VisitDetailSerializer, **error_responses(400, 401, 403, 429)},
    ),
)
class VisitListView(generics.ListAPIView):
    permission_classes = [IsAuthenticatedActor]
    serializer_class = VisitSerializer
    pagination_class = VisitPage
    filterset_class = VisitFilter
    throttle_scope = "filing"

    def get_throttles(self):
        # Logging a visit may file problems: it shares the filing limit. Reading is not throttled.
        return [ScopedRateThrottle()] if self.request.method == "POST" else []

    def get_queryset(self) -> QuerySet[Visit]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no caller
            return Visit.objects.none()
        return visits_for_list(self.request.user)

    def post(self, request: Request) -> Response:
        actor = request.user
        if actor.role != Role.SPECIALIST:
            # Refused before the body is read; log_visit checks the assignment itself.
            raise NotPermitted(LOG_REFUSAL)
        serializer = VisitCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        visit = log_visit(
            actor=actor,
            enterprise=data["enterprise"],
            visited_at=data["visited_at"],
            method=data["method"],
            people_met=data["people_met"],
            companions=data.get("companions", []),
            problems=[FoundProblem(**problem) for problem in data.get("problems", [])],
            client_key=data.get("client_key"),
            **{field: data[field] for field in (*SNAPSHOT_FIELDS, *CONDITION_FIELDS)},
        )
        visit = visits_for_detail(actor).get(pk=visit.pk)
        return Response(VisitDetailSerializer(visit).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(
        operation_id="visits_retrieve",
        tags=["visits"],
        summary="走访详情 / A visit",
        description=(
            "一条可见走访记录的全部内容，含同行人员、照片和走访发现的问题；不可见与不存在一样返回 404。\n\n"
            "One visible visit in full, with companions, photos and the problems found; one the caller may "
            "not see is 404, exactly like one that does not exist."
        ),
        responses={200: VisitDetailSerializer, **error_responses(401, 404)},
    )
)
class VisitDetailView(generics.RetrieveAPIView):
    permission_classes = [IsAuthenticatedActor]
    serializer_class = VisitDetailSerializer

    def get_queryset(self) -> QuerySet[Visit]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no caller
            return Visit.objects.none()
        return visits_for_detail(self.request.user)


class VisitPhotoFileView(APIView):
    """A visit's photo, to whoever may see the visit; always as a download, with the type the platform found."""

    permission_classes = [IsAuthenticatedActor]

    def perform_content_negotiation(self, request: Request, force: bool = False):
        # A client asking for the image's own type gets the image; errors stay JSON.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        operation_id="visits_photos_download",
        tags=["visits"],
        summary="下载走访照片 / Download a visit's photo",
        description="照片文件本身（Content-Disposition: attachment）。\n\nThe photo itself, as a download.",
        parameters=[
            OpenApiParameter("id", int, OpenApiParameter.PATH, description="走访 id / visit id"),
            OpenApiParameter("photo_id", int, OpenApiParameter.PATH, description="照片 id / photo id"),
        ],
        responses={
            **{(200, content_type): OpenApiTypes.BINARY for content_type in PHOTO_CONTENT_TYPES},
            **error_responses(401, 404),
        },
    )
    def get(self, request: Request, pk: int, photo_id: int) -> HttpResponseBase:
        photo = (
            VisitPhoto.objects.filter(pk=photo_id, visit__in=list_visits_for(request.user).filter(pk=pk))
            .only("image", "caption", "content_type")
            .first()
        )
        if photo is None:
            raise Http404
        try:
            handle = photo.image.open("rb")
        except OSError:
            logger.exception("visit photo %s: its file %s is missing from storage", photo.pk, photo.image)
            raise Http404 from None
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=photo.caption or f"photo-{photo.pk}",
            content_type=photo.content_type or "application/octet-stream",
        )
        response["Cache-Control"] = "private, no-store"
        return response
