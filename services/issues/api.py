"""The issue API: thin views over the selectors (what the caller sees) and the actions (what the caller does).

Every view fetches through the same selector that lists, so an issue the caller may not see answers 404
exactly like one that does not exist. Each action view calls one action; its refusals become 403 (may see,
may not act), 409 (wrong state) or 400 (bad input) in ``services.core.api.exception_handler``.
"""

import logging
from base64 import urlsafe_b64decode, urlsafe_b64encode
from binascii import Error as BinasciiError
from datetime import UTC, datetime
from typing import Any, ClassVar

from django.db.models import F, QuerySet, Value
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404
from django.http.response import HttpResponseBase
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from services.core.api import (
    AcceptedWritesThrottle,
    ActionView,
    CursorPage,
    FilterBackend,
    IsAuthenticatedActor,
    error_responses,
)
from services.core.pagination import with_cursors
from services.issues import actions, workflow
from services.issues import serializers as s
from services.issues.attachments import KINDS
from services.issues.filters import DEFAULT_ORDERING, ORDERINGS, InboxFilter, IssueFilter
from services.issues.models import Issue
from services.issues.selectors import (
    attachments_of,
    events_of,
    get_attachment_for,
    get_issue_detail_for,
    get_issue_for,
    list_issues_for,
    unit_inbox,
    unit_inbox_keys,
    visible_issues,
    with_next_due,
)
from services.issues.workflow import Move

# Sentinels that sort issues without a running clock after every real due time, in both directions.
_NO_DUE_LATEST = datetime(9000, 1, 1, tzinfo=UTC)
_NO_DUE_EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)


logger = logging.getLogger(__name__)
ATTACHMENT_CONTENT_TYPES = tuple(sorted({content_type for content_type, _check in KINDS.values()}))

ID_PARAMETER = OpenApiParameter("id", int, OpenApiParameter.PATH, description="诉求 id / issue id")


def _detail(request: Request, issue_id: int) -> dict[str, Any]:
    issue = get_issue_detail_for(actor=request.user, issue_id=issue_id)
    return s.IssueDetailSerializer(issue, context={"request": request}).data


def _with_due_sort(issues: QuerySet[Issue]) -> QuerySet[Issue]:
    return issues.annotate(
        due_sort=Coalesce(F("next_due_at"), Value(_NO_DUE_LATEST)),
        due_sort_desc=Coalesce(F("next_due_at"), Value(_NO_DUE_EARLIEST)),
    )


# ---------------------------------------------------------------- lists, filing, detail, history


class IssueListView(generics.GenericAPIView):
    permission_classes = (IsAuthenticatedActor,)
    serializer_class = s.IssueListSerializer
    pagination_class = CursorPage
    filter_backends = (FilterBackend,)
    filterset_class = IssueFilter
    throttle_scope = "filing"

    def get_throttles(self):
        # Filing is throttled, counting accepted filings only (a refused attempt costs nothing); reading is not.
        if self.request.method != "POST":
            return []
        return [
            AcceptedWritesThrottle(
                lambda user, since: Issue.objects.filter(filed_by=user, created_at__gte=since)
            )
        ]

    queryset = Issue.objects.none()  # for the schema; the rows come from the selector

    def get_queryset(self) -> QuerySet[Issue]:
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        issues = with_next_due(list_issues_for(self.request.user)).only(*s.LIST_VALUES)
        if self.get_cursor_ordering(self.request)[0].lstrip("-").startswith("due_sort"):
            issues = _with_due_sort(issues)
        return issues

    def get_cursor_ordering(self, request: Request) -> tuple[str, ...]:
        return ORDERINGS.get(
            request.query_params.get("ordering") or DEFAULT_ORDERING, ORDERINGS[DEFAULT_ORDERING]
        )

    @extend_schema(
        operation_id="issues_list",
        tags=["issues"],
        summary="诉求列表 / List issues",
        description=(
            "调用者可见的诉求（企业：本企业；专员：包联企业及本人代提；承办单位：曾派至本单位；调度员、领导、"
            "管理员：全区），可筛选、搜索、排序，游标分页。\n\n"
            "Issues the caller may see (enterprise: its own; specialist: assigned enterprises and those it filed; "
            "unit staff: ever dispatched to the unit; dispatcher, leader, administrator: the district), with "
            "filters, search, ordering and cursor pagination."
        ),
        responses={200: s.IssueListSerializer(many=True), **error_responses(400, 401)},
    )
    def get(self, request: Request) -> Response:
        issues = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(issues)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        operation_id="issues_create",
        tags=["issues"],
        summary="提交诉求 / File an issue",
        description=(
            "企业为本企业提交；服务专员为包联企业、调度员为任一企业代为提交（电话反映）。限流。\n\n"
            "An enterprise files for itself; its specialist or a dispatcher (phone call) files on its behalf. "
            "Throttled."
        ),
        request=s.IssueCreateSerializer,
        responses={201: s.IssueDetailSerializer, **error_responses(400, 401, 403, 429)},
    )
    def post(self, request: Request) -> Response:
        serializer = s.IssueCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        issue = actions.file_issue(actor=request.user, **serializer.validated_data)
        return Response(_detail(request, issue.pk), status=status.HTTP_201_CREATED)


class InboxPage(CursorPage):
    """The inbox's pages. Unfiltered (the usual request), a keyset over the unit's running clocks:
    ``unit_inbox_keys`` picks the page's ids and dues, then only those rows are read, through
    ``list_issues_for`` like every list. With any filter parameter, DRF's cursor over the filtered
    ``unit_inbox`` queryset. Both give the same order (tests/api/test_issues_filters.py).
    """

    keyset = False

    def paginate_keys(self, request: Request) -> list[dict]:
        """The page's rows, already in the list shape (``IssueListSerializer``)."""
        self.keyset = True
        self.request = request
        self.base_url = request.build_absolute_uri()
        self.page_size = self.get_page_size(request)
        after = self._decode_key(request.query_params.get(self.cursor_query_param))
        keys = unit_inbox_keys(request.user, after=after, limit=self.page_size + 1)
        self.next_key = keys[self.page_size - 1] if len(keys) > self.page_size else None
        keys = keys[: self.page_size]
        if not keys:
            return []
        # The rows come through the same visibility rule as every list; their due is the keys' due.
        visible = (
            visible_issues(request.user)
            .filter(pk__in=[pk for pk, _due in keys])
            .order_by()
            .values_list(*s.LIST_VALUES)
        )
        rows = {values[0]: values for values in visible}
        return [s.list_row_from_values(rows[pk], due) for pk, due in keys if pk in rows]

    def get_paginated_response(self, data):
        if not self.keyset:
            return super().get_paginated_response(data)
        return with_cursors(Response({"next": self._next_link(), "previous": None, "results": data}))

    def _next_link(self) -> str | None:
        if self.next_key is None:
            return None
        issue_id, due = self.next_key
        token = urlsafe_b64encode(f"{due.astimezone(UTC).isoformat()}|{issue_id}".encode()).decode()
        return replace_query_param(self.base_url, self.cursor_query_param, token)

    def _decode_key(self, token: str | None) -> tuple[datetime, int] | None:
        if not token:
            return None
        try:
            due_text, issue_id = urlsafe_b64decode(token.encode("ascii")).decode().split("|")
            due = datetime.fromisoformat(due_text).astimezone(UTC)
            return due, int(issue_id)
        except (ValueError, UnicodeError, OverflowError, BinasciiError):
            raise self._invalid_cursor() from None


class IssueInboxView(generics.ListAPIView):
    permission_classes = (IsAuthenticatedActor,)
    serializer_class = s.IssueListSerializer
    pagination_class = InboxPage
    filter_backends = (FilterBackend,)
    filterset_class = InboxFilter
    cursor_ordering = ("next_due_at", "pk")
    queryset = Issue.objects.none()  # for the schema; the rows come from the selector

    def get_queryset(self) -> QuerySet[Issue]:
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        issues = unit_inbox(self.request.user).only(*s.LIST_VALUES)
        if "next_due_at" not in issues.query.annotations:  # a caller outside any unit: nothing, but sortable
            issues = with_next_due(issues)
        return issues

    @extend_schema(
        operation_id="issues_inbox",
        tags=["issues"],
        summary="本单位待办 / The unit's inbox",
        description=(
            "调用者所在承办单位有进行中时限的诉求，最近截止在前（next_due_at 为本单位的最近截止）；"
            "非承办单位人员得到空列表。\n\n"
            "Issues with a running clock of the caller's unit, soonest due first (next_due_at is the unit's own "
            "soonest due); empty for callers outside a unit."
        ),
        responses={200: s.IssueListSerializer(many=True), **error_responses(400, 401)},
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        if any(name in request.query_params for name in InboxFilter.base_filters):
            page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
            return self.get_paginated_response(self.get_serializer(page, many=True).data)
        return self.get_paginated_response(self.paginator.paginate_keys(request))


class IssueDetailView(APIView):
    permission_classes = (IsAuthenticatedActor,)

    @extend_schema(
        operation_id="issues_retrieve",
        tags=["issues"],
        summary="诉求详情 / Issue detail",
        description=(
            "含牵头与协办单位、各环节时限、当前最近截止、调用者现在可进行的操作。不可见的诉求与不存在的诉求"
            "同样返回 404。\n\n"
            "With lead and co-handling units, stage clocks, the current due time and the actions the caller may "
            "take now. An issue the caller may not see answers 404, exactly like a missing one."
        ),
        parameters=[ID_PARAMETER],
        responses={200: s.IssueDetailSerializer, **error_responses(401, 404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(_detail(request, pk))


class IssueEventsView(APIView):
    permission_classes = (IsAuthenticatedActor,)

    @extend_schema(
        operation_id="issues_events_list",
        tags=["issues"],
        summary="办理记录 / Issue history",
        description=(
            "只增不改的办理记录，按时间先后；kind 为机器代码，label 为按请求语言的名称。\n\n"
            "The append-only history, oldest first; kind is the machine key, label its name in the request's "
            "language."
        ),
        parameters=[ID_PARAMETER],
        responses={200: s.IssueEventSerializer(many=True), **error_responses(401, 404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        issue = get_issue_for(actor=request.user, issue_id=pk)
        return Response(s.IssueEventSerializer(events_of(issue), many=True).data)


# ---------------------------------------------------------------- attachments


class IssueAttachmentsView(ActionView):
    """GET: the visible issue's files, oldest first. POST (multipart): add one; see ``actions.add_attachment``."""

    permission_classes = (IsAuthenticatedActor,)
    parser_classes = (MultiPartParser,)  # an upload: multipart only, as the schema says
    input_serializer = s.IssueAttachmentInputSerializer
    success_status = status.HTTP_201_CREATED
    throttle_scope = "upload"

    def get_throttles(self):
        return [ScopedRateThrottle()] if self.request.method == "POST" else []

    def get_object(self) -> Issue:
        return get_issue_for(actor=self.request.user, issue_id=self.kwargs["pk"])

    def check(self, issue: Issue) -> None:
        actions.ensure_may_attach(issue=issue, actor=self.request.user)

    def perform(self, issue: Issue, data: dict) -> Any:
        return actions.add_attachment(
            issue=issue, actor=self.request.user, upload=data["file"], note=data["note"]
        )

    def represent(self, issue: Issue, attachment: Any) -> dict[str, Any]:
        return s.IssueAttachmentSerializer(attachment, context=self.get_serializer_context()).data

    @extend_schema(
        operation_id="issues_attachments_list",
        tags=["issues"],
        summary="附件列表 / Attachments",
        description="诉求的附件，上传先后为序。\n\nThe issue's files, oldest first.",
        parameters=[ID_PARAMETER],
        responses={200: s.IssueAttachmentSerializer(many=True), **error_responses(401, 404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        issue = self.get_object()
        attachments = attachments_of(issue)
        return Response(
            s.IssueAttachmentSerializer(attachments, many=True, context={"request": request}).data
        )

    @extend_schema(
        operation_id="issues_attachments_create",
        tags=["issues"],
        summary="上传附件 / Add an attachment",
        description=(
            "诉求未办结时，提出诉求的企业、其服务专员、调度员和正在办理的单位可上传附件（multipart/form-data）。"
            "文件类型按扩展名和文件内容共同判断；每件诉求最多 30 个附件。限流。\n\n"
            "While the issue is open, the enterprise, its specialist, the dispatchers and the units handling it "
            "may add a file (multipart/form-data). The kind is judged by extension and content together; at "
            "most 30 files per issue. Throttled."
        ),
        parameters=[ID_PARAMETER],
        request={"multipart/form-data": s.IssueAttachmentInputSerializer},
        responses={201: s.IssueAttachmentSerializer, **error_responses(400, 401, 403, 404, 409, 429)},
    )
    def post(self, request: Request, *args, **kwargs) -> Response:
        return super().post(request, *args, **kwargs)


class IssueAttachmentFileView(APIView):
    """The file itself, always as a download (never shown inline), with the type the platform found."""

    permission_classes = (IsAuthenticatedActor,)

    def perform_content_negotiation(self, request: Request, force: bool = False):
        # A client asking for the file's own type (Accept: application/pdf) gets the file; errors stay JSON.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        operation_id="issues_attachments_download",
        tags=["issues"],
        summary="下载附件 / Download an attachment",
        description="附件文件本身（Content-Disposition: attachment）。\n\nThe file itself, as a download.",
        parameters=[
            ID_PARAMETER,
            OpenApiParameter(
                "attachment_id", int, OpenApiParameter.PATH, description="附件 id / attachment id"
            ),
        ],
        responses={
            **{(200, content_type): OpenApiTypes.BINARY for content_type in ATTACHMENT_CONTENT_TYPES},
            **error_responses(401, 404),
        },
    )
    def get(self, request: Request, pk: int, attachment_id: int) -> HttpResponseBase:
        attachment = get_attachment_for(actor=request.user, issue_id=pk, attachment_id=attachment_id)
        try:
            handle = attachment.file.open("rb")
        except OSError:
            logger.exception(
                "attachment %s: its file %s is missing from storage", attachment.pk, attachment.file
            )
            raise Http404 from None
        response = FileResponse(
            handle, as_attachment=True, filename=attachment.name, content_type=attachment.content_type
        )
        response["Cache-Control"] = "private, no-store"
        return response


# ---------------------------------------------------------------- one view per lifecycle action


class IssueActionView(ActionView):
    """Fetch the visible issue (404), check the caller may make the move (403), parse (400), act (409/400).

    One subclass per move of the registry (``workflow.MOVES``), made by ``_action_view``."""

    permission_classes = (IsAuthenticatedActor,)
    move: ClassVar[Move]

    def get_object(self) -> Issue:
        return get_issue_for(actor=self.request.user, issue_id=self.kwargs["pk"])

    def check(self, issue: Issue) -> None:
        workflow.ensure_may_act(move=self.move, actor=self.request.user, issue=issue)

    def perform(self, issue: Issue, data: dict) -> Any:
        return self.move.perform(issue, self.request.user, data)

    def represent(self, issue: Issue, result: Any) -> dict[str, Any]:
        return _detail(self.request, issue.pk)


def _action_view(move: Move) -> type[IssueActionView]:
    schema = extend_schema(
        operation_id=f"issues_{move.slug.replace('-', '_')}",
        tags=["issues"],
        summary=move.summary,
        description=move.description,
        parameters=[ID_PARAMETER],
        request=move.input,
        responses={200: s.IssueDetailSerializer, **error_responses(400, 401, 403, 404, 409)},
    )

    class MoveView(IssueActionView):
        input_serializer = move.input

        @schema
        def post(self, request: Request, *args, **kwargs) -> Response:
            return super().post(request, *args, **kwargs)

    MoveView.move = move
    MoveView.__name__ = MoveView.__qualname__ = (
        "".join(part.title() for part in move.slug.split("-")) + "View"
    )
    return MoveView


ACTION_VIEWS: dict[str, type[IssueActionView]] = {move.slug: _action_view(move) for move in workflow.MOVES}
