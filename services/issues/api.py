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
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from services.core.api import ActionView, CursorPage, FilterBackend, IsAuthenticatedActor, error_responses
from services.enterprises.selectors import current_specialist_id
from services.issues import actions
from services.issues import lifecycle as lc
from services.issues import serializers as s
from services.issues.attachments import KINDS
from services.issues.filters import DEFAULT_ORDERING, ORDERINGS, IssueFilter
from services.issues.models import Issue, IssueUnit, UnitRole
from services.issues.permissions import ensure_permitted
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
        # Filing is throttled; reading the list is not.
        return [ScopedRateThrottle()] if self.request.method == "POST" else []

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
        return Response({"next": self._next_link(), "previous": None, "results": data})

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
    filterset_class = IssueFilter
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
            "非承办单位人员得到空列表。`ordering` 参数在此忽略。\n\n"
            "Issues with a running clock of the caller's unit, soonest due first (next_due_at is the unit's own "
            "soonest due); empty for callers outside a unit. The `ordering` parameter is ignored here."
        ),
        responses={200: s.IssueListSerializer(many=True), **error_responses(400, 401)},
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        if any(name in request.query_params for name in IssueFilter.base_filters):
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
    parser_classes = (MultiPartParser, FormParser)
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
    """Fetch the visible issue (404), check the caller may make the move (403), parse (400), act (409/400)."""

    permission_classes = (IsAuthenticatedActor,)
    transition: ClassVar[lc.Transition]

    def get_object(self) -> Issue:
        return get_issue_for(actor=self.request.user, issue_id=self.kwargs["pk"])

    def permission_context(self, issue: Issue) -> dict[str, Any]:
        return {}

    def check(self, issue: Issue) -> None:
        ensure_permitted(self.request.user, self.transition, issue, **self.permission_context(issue))

    def represent(self, issue: Issue, result: Any) -> dict[str, Any]:
        return _detail(self.request, issue.pk)


def _action_schema(*, action: str, summary: str, description: str, request: type[Serializer] | None):
    return extend_schema(
        operation_id=f"issues_{action.replace('-', '_')}",
        tags=["issues"],
        summary=summary,
        description=description,
        parameters=[ID_PARAMETER],
        request=request,
        responses={200: s.IssueDetailSerializer, **error_responses(400, 401, 403, 404, 409)},
    )


class AcceptView(IssueActionView):
    transition = lc.ACCEPT
    input_serializer = s.IssueNoteInputSerializer

    @_action_schema(
        action="accept",
        summary="受理 / Accept",
        description="调度员受理待受理的诉求。\n\nA dispatcher accepts a submitted issue.",
        request=s.IssueNoteInputSerializer,
    )
    def post(self, request: Request, *args, **kwargs) -> Response:
        return super().post(request, *args, **kwargs)

    def perform(self, issue: Issue, data: dict) -> Issue:
        return actions.accept_issue(issue=issue, actor=self.request.user, **data)


class RejectView(IssueActionView):
    transition = lc.REJECT
    input_serializer = s.IssueReasonInputSerializer

    @_action_schema(
        action="reject",
        summary="不予受理 / Reject",
        description="调度员说明理由后不予受理。\n\nA dispatcher rejects a submitted issue, giving the reason.",
        request=s.IssueReasonInputSerializer,
    )
    def post(self, request: Request, *args, **kwargs) -> Response:
        return super().post(request, *args, **kwargs)

    def perform(self, issue: Issue, data: dict) -> Issue:
        return actions.reject_issue(issue=issue, actor=self.request.user, reason=data["reason"])


class MergeView(IssueActionView):
    transition = lc.MERGE
    input_serializer = s.IssueMergeInputSerializer

    @_action_schema(
        action="merge",
        summary="合并重复诉求 / Merge a duplicate",
        description=(
            "调度员把重复诉求合并到继续办理的诉求。\n\nA dispatcher merges a duplicate into the issue that carries on."
        ),
        request=s.IssueMergeInputSerializer,
    )
    def post(self, request: Request, *args, **kwargs) -> Response:
        return super().post(request, *args, **kwargs)

    def perform(self, issue: Issue, data: dict) -> Issue:
        return actions.merge_issue(issue=issue, actor=self.request.user, into=data["into"], note=data["note"])


class DispatchView(IssueActionView):
    transition = lc.DISPATCH
    input_serializer = s.IssueDispatchInputSerializer

    @_action_schema(
        action="dispatch",
        summary="派单 / Dispatch",
        description=(
            "调度员派给一个牵头单位和可选的协办单位，各单位的时限开始计算。\n\n"
            "A dispatcher hands the issue to one lead unit and optional co-handling units; their clocks start."
        ),
        request=s.IssueDispatchInputSerializer,
    )
    def post(self, request: Request, *args, **kwargs) -> Response:
        return super().post(request, *args, **kwargs)

    def perform(self, issue: Issue, data: dict) -> Issue:
        return actions.dispatch_issue(issue=issue, actor=self.request.user, **data)


class TransferView(IssueActionView):
    transition = lc.TRANSFER
    input_serializer = s.IssueTransferInputSerializer

    @_action_schema(
        action="transfer",
        summary="转办 / Re-dispatch",
        description=(
            "调度员改派单位：原单位时限停止，新单位时限重新开始。\n\n"
            "A dispatcher re-dispatches: the previous units' clocks stop, the next unit's start fresh."
        ),
        request=s.IssueTransferInputSerializer,
    )
    def post(self, request: Request, *args, **kwargs) -> Response:
        return super().post(request, *args, **kwargs)

    def perform(self, issue: Issue, data: dict) -> Issue:
        return actions.transfer_issue(issue=issue, actor=self.request.user, **data)


class AcknowledgeView(IssueActionView):
    transition = lc.ACKNOWLEDGE
    input_serializer = None

    @_action_schema(
        action="acknowledge",
        summary="签收（报到）/ Acknowledge",
        description="牵头单位签收派来的诉求。\n\nThe lead unit signs for the dispatched issue.",
        request=None,
    )
    def post(self, request: Request, *args, **kwargs) -> Response:
        return super().post(request, *args, **kwargs)

    def perform(self, issue: Issue, data: dict) -> Issue:
        return actions.acknowledge_issue(issue=issue, actor=self.request.user)


class SendBackView(IssueActionView):
    transition = lc.SEND_BACK
    input_serializer = s.IssueReasonInputSerializer

    @_action_schema(
        action="send-back",
        summary="退回 / Send back",
        description=(
            "牵头单位在签收时限内说明理由退回错派的诉求。\n\n"
            "The lead unit sends a wrongly dispatched issue back within the sign deadline, giving the reason."
        ),
        request=s.IssueReasonInputSerializer,
    )
    def post(self, request: Request, *args, **kwargs) -> Response:
        return super().post(request, *args, **kwargs)

    def perform(self, issue: Issue, data: dict) -> Issue:
        return actions.send_back_issue(issue=issue, actor=self.request.user, reason=data["reason"])


class ContactView(IssueActionView):
    transition = lc.RECORD_CONTACT
    input_serializer = s.IssueRequiredNoteInputSerializer

    @_action_schema(
        action="contact",
        summary="首次联系 / Record first contact",
        description="牵头单位记录与企业的首次联系。\n\nThe lead unit records its first contact with the enterprise.",
        request=s.IssueRequiredNoteInputSerializer,
    )
    def post(self, request: Request, *args, **kwargs) -> Response:
        return super().post(request, *args, **kwargs)

    def perform(self, issue: Issue, data: dict) -> Issue:
        return actions.record_first_contact(issue=issue, actor=self.request.user, note=data["note"])


class CoHandlerInputView(IssueActionView):
    transition = lc.CO_HANDLER_INPUT
    input_serializer = s.IssueCoHandlerInputSerializer

    def permission_context(self, issue: Issue) -> dict[str, Any]:
        unit_id = self.request.user.unit_id
        is_co_unit = (
            unit_id is not None
            and IssueUnit.objects.filter(
                issue=issue, unit_id=unit_id, role=UnitRole.CO, ended_at__isnull=True
            ).exists()
        )
        return {"is_co_unit": is_co_unit}

    @_action_schema(
        action="co-handler-input",
        summary="协办意见 / Co-handler input",
        description="协办单位向牵头单位提交意见。\n\nA co-handling unit gives its input to the lead unit.",
        request=s.IssueCoHandlerInputSerializer,
    )
    def post(self, request: Request, *args, **kwargs) -> Response:
        return super().post(request, *args, **kwargs)

    def perform(self, issue: Issue, data: dict) -> Issue:
        return actions.submit_co_input(issue=issue, actor=self.request.user, text=data["text"])


class RespondView(IssueActionView):
    transition = lc.RESPOND
    input_serializer = s.IssueRespondInputSerializer

    @_action_schema(
        action="respond",
        summary="答复 / Respond",
        description=(
            "牵头单位答复企业（已解决、部分解决、解释说明、提级办理）。\n\n"
            "The lead unit answers (solved, partly solved, explained, escalated)."
        ),
        request=s.IssueRespondInputSerializer,
    )
    def post(self, request: Request, *args, **kwargs) -> Response:
        return super().post(request, *args, **kwargs)

    def perform(self, issue: Issue, data: dict) -> Issue:
        return actions.respond_to_issue(issue=issue, actor=self.request.user, **data)


class RequestExtensionView(IssueActionView):
    transition = lc.REQUEST_EXTENSION
    input_serializer = s.IssueExtensionRequestInputSerializer

    @_action_schema(
        action="request-extension",
        summary="申请延期 / Request an extension",
        description=(
            "牵头单位在答复截止前申请延期，由调度员审核。\n\n"
            "The lead unit asks for more working days before the answer is due; a dispatcher decides."
        ),
        request=s.IssueExtensionRequestInputSerializer,
    )
    def post(self, request: Request, *args, **kwargs) -> Response:
        return super().post(request, *args, **kwargs)

    def perform(self, issue: Issue, data: dict) -> Any:
        return actions.request_extension(issue=issue, actor=self.request.user, **data)


class DecideExtensionView(IssueActionView):
    transition = lc.DECIDE_EXTENSION
    input_serializer = s.IssueExtensionDecisionInputSerializer

    @_action_schema(
        action="decide-extension",
        summary="审核延期 / Decide an extension",
        description=(
            "调度员同意或不同意待审核的延期申请；同意则推迟答复截止时间，不改变状态。\n\n"
            "A dispatcher approves or declines the pending request; approval moves the answer due time, "
            "never the status."
        ),
        request=s.IssueExtensionDecisionInputSerializer,
    )
    def post(self, request: Request, *args, **kwargs) -> Response:
        return super().post(request, *args, **kwargs)

    def perform(self, issue: Issue, data: dict) -> Any:
        return actions.decide_extension(issue=issue, actor=self.request.user, **data)


class EvaluateView(IssueActionView):
    transition = lc.EVALUATE
    input_serializer = s.IssueEvaluateInputSerializer

    def permission_context(self, issue: Issue) -> dict[str, Any]:
        return {
            "current_specialist_id": current_specialist_id(issue.enterprise_id),
            "rates_by_phone": issue.enterprise.rates_by_phone,
        }

    @_action_schema(
        action="evaluate",
        summary="评价 / Evaluate",
        description=(
            "企业评价答复（电话回访的企业由服务专员代录）。满意或基本满意即办结，不满意转调度员研判。\n\n"
            "The enterprise rates the answer (its specialist records a phone rating for an enterprise that rates "
            "by phone). Satisfied or basically satisfied closes the issue; dissatisfied sends it to review."
        ),
        request=s.IssueEvaluateInputSerializer,
    )
    def post(self, request: Request, *args, **kwargs) -> Response:
        return super().post(request, *args, **kwargs)

    def perform(self, issue: Issue, data: dict) -> Issue:
        return actions.evaluate_issue(issue=issue, actor=self.request.user, **data)


class ReopenView(IssueActionView):
    transition = lc.REOPEN
    input_serializer = s.IssueRequiredNoteInputSerializer

    @_action_schema(
        action="reopen",
        summary="重办 / Reopen",
        description=(
            "调度员把不满意的诉求退回牵头单位重新办理，答复时限重新计算。\n\n"
            "A dispatcher sends a dissatisfied issue back to the lead unit with a fresh answer deadline."
        ),
        request=s.IssueRequiredNoteInputSerializer,
    )
    def post(self, request: Request, *args, **kwargs) -> Response:
        return super().post(request, *args, **kwargs)

    def perform(self, issue: Issue, data: dict) -> Issue:
        return actions.reopen_issue(issue=issue, actor=self.request.user, note=data["note"])


class CloseView(IssueActionView):
    transition = lc.REVIEW_CLOSE
    input_serializer = s.IssueReasonInputSerializer

    @_action_schema(
        action="close",
        summary="研判办结 / Close after review",
        description=(
            "调度员研判后说明理由办结不满意的诉求。\n\nA dispatcher closes a dissatisfied issue after review, saying why."
        ),
        request=s.IssueReasonInputSerializer,
    )
    def post(self, request: Request, *args, **kwargs) -> Response:
        return super().post(request, *args, **kwargs)

    def perform(self, issue: Issue, data: dict) -> Issue:
        return actions.review_close_issue(issue=issue, actor=self.request.user, reason=data["reason"])


class WithdrawView(IssueActionView):
    transition = lc.WITHDRAW
    input_serializer = s.IssueReasonInputSerializer

    @_action_schema(
        action="withdraw",
        summary="撤回 / Withdraw",
        description="企业在答复前撤回本企业的诉求。\n\nThe enterprise withdraws its issue before it is answered.",
        request=s.IssueReasonInputSerializer,
    )
    def post(self, request: Request, *args, **kwargs) -> Response:
        return super().post(request, *args, **kwargs)

    def perform(self, issue: Issue, data: dict) -> Issue:
        return actions.withdraw_issue(issue=issue, actor=self.request.user, reason=data["reason"])


ACTION_VIEWS: dict[str, type[IssueActionView]] = {
    "accept": AcceptView,
    "reject": RejectView,
    "merge": MergeView,
    "dispatch": DispatchView,
    "acknowledge": AcknowledgeView,
    "send-back": SendBackView,
    "transfer": TransferView,
    "contact": ContactView,
    "co-handler-input": CoHandlerInputView,
    "respond": RespondView,
    "request-extension": RequestExtensionView,
    "decide-extension": DecideExtensionView,
    "evaluate": EvaluateView,
    "reopen": ReopenView,
    "close": CloseView,
    "withdraw": WithdrawView,
}
