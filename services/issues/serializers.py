"""What the issue API reads and writes. Input serializers check types and shapes only; the actions own the rules
(required text, limits, state, who may act) and raise the refusals the API turns into 400/403/409."""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from services.core import clock
from services.core.api import LabelField, choice_label
from services.issues import workflow
from services.issues.lifecycle import EVENT_KINDS, Status
from services.issues.models import (
    Channel,
    ClosureKind,
    Complexity,
    ExtensionStatus,
    Issue,
    IssueEvent,
    Outcome,
    Satisfaction,
    Stage,
    StageClock,
    UnitRole,
    Urgency,
)

# The API's name for each move an actor can make (the path segment of POST /issues/{id}/<action>/).
ACTIONS = workflow.SLUGS


def allowed_actions(actor, issue: Issue) -> list[str]:
    """The moves the actor can make now, exactly: those whose action would not refuse (``workflow``).

    Reads its facts from the detail selector's ``part_list``, ``clock_list`` and ``extension_list``."""
    return workflow.allowed_slugs(actor, issue)


# ---------------------------------------------------------------- small nested shapes


# Read serializers are plain Serializers with declared fields: a ModelSerializer rebuilds its fields from
# the model on every instantiation, which is most of the cost of a 25-row page.

RO = {"read_only": True}
_DATETIME = serializers.DateTimeField()


def _when(**kwargs) -> serializers.DateTimeField:
    return serializers.DateTimeField(read_only=True, allow_null=True, **kwargs)


class IssueUnitRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(**RO)
    code = serializers.CharField(**RO)
    name = serializers.CharField(**RO)
    short_name = serializers.CharField(**RO)


class IssueEnterpriseRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(**RO)
    name = serializers.CharField(**RO)
    uscc = serializers.CharField(**RO, help_text="统一社会信用代码 / unified social credit code")


class IssueCategoryRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(**RO)
    code = serializers.CharField(**RO)
    name = serializers.CharField(**RO)
    parent_id = serializers.IntegerField(**RO, allow_null=True)
    full_name = serializers.CharField(source="__str__", **RO, help_text="用工 / 招工难")


class IssuePersonRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(**RO)
    name = serializers.CharField(**RO)


class IssueRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(**RO)
    number = serializers.CharField(**RO)


# ---------------------------------------------------------------- list and detail


class IssueListSerializer(serializers.Serializer):
    """One row of a list: only what the list query selects, so a page costs one query."""

    id = serializers.IntegerField(**RO)
    number = serializers.CharField(**RO, help_text="编号 / number, e.g. JJ2026-00042")
    title = serializers.CharField(**RO)
    status = serializers.ChoiceField(choices=Status.choices, **RO)
    status_label = LabelField(Status, source="status")
    urgency = serializers.ChoiceField(choices=Urgency.choices, **RO)
    urgency_label = LabelField(Urgency, source="urgency")
    enterprise = IssueEnterpriseRefSerializer(**RO)
    category = IssueCategoryRefSerializer(**RO)
    lead_unit = IssueUnitRefSerializer(**RO, allow_null=True)
    is_escalated = serializers.BooleanField(**RO, help_text="已督办 / under supervision")
    created_at = serializers.DateTimeField(**RO)
    next_due_at = _when(help_text="最近一个进行中环节的截止时间 / soonest running due time")
    is_overdue = serializers.SerializerMethodField(
        help_text="有进行中环节已超期 / a running stage is past due"
    )

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_is_overdue(self, issue: Issue) -> bool:
        due = getattr(issue, "next_due_at", None)
        return due is not None and due < clock.now()

    def to_representation(self, issue: Issue) -> dict:
        """The declared fields, written out: a page of 25 rows is the API's hottest path.

        ``tests/api/test_issues_serializers.py`` checks that this gives exactly what DRF's generic
        ``Serializer.to_representation`` gives for the same declared fields.
        """
        if type(self) is not IssueListSerializer:
            return super().to_representation(issue)
        return _list_row(issue)


class IssueUnitPartSerializer(serializers.Serializer):
    unit = IssueUnitRefSerializer(**RO)
    unit_role = serializers.ChoiceField(source="role", choices=UnitRole.choices, **RO)
    unit_role_label = LabelField(UnitRole, source="role")
    dispatched_at = serializers.DateTimeField(**RO)
    acknowledged_at = _when()
    first_contact_at = _when()
    input_text = serializers.CharField(**RO, help_text="协办意见 / the co-handler's input")
    input_at = _when()
    ended_at = _when()
    end_reason = serializers.CharField(**RO)


class StageClockSerializer(serializers.Serializer):
    id = serializers.IntegerField(**RO)
    stage = serializers.ChoiceField(choices=Stage.choices, **RO)
    stage_label = LabelField(Stage, source="stage")
    unit = IssueUnitRefSerializer(**RO, allow_null=True)
    cycle = serializers.IntegerField(**RO, help_text="办理轮次（重办加一）/ round, one more per reopen")
    started_at = serializers.DateTimeField(**RO)
    due_at = serializers.DateTimeField(**RO)
    original_due_at = serializers.DateTimeField(**RO)
    met_at = _when()
    stopped_at = _when()
    counts_hours = serializers.BooleanField(**RO)
    due_from_fallback = serializers.BooleanField(
        **RO,
        help_text=(
            "截止时间按周一至周五推算（该年法定节假日尚未录入）/ the due time was counted Monday to Friday: "
            "that year's holidays were not yet entered"
        ),
    )
    is_running = serializers.BooleanField(**RO)
    is_breached = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_is_breached(self, stage_clock: StageClock) -> bool:
        return stage_clock.is_breached(clock.now())


class IssueExtensionSerializer(serializers.Serializer):
    id = serializers.IntegerField(**RO)
    working_days = serializers.IntegerField(**RO)
    reason = serializers.CharField(**RO)
    requested_at = serializers.DateTimeField(**RO)
    decision = serializers.ChoiceField(source="status", choices=ExtensionStatus.choices, **RO)
    decision_label = LabelField(ExtensionStatus, source="status")
    decided_at = _when()
    decision_note = serializers.CharField(**RO)
    old_due_at = serializers.DateTimeField(**RO)
    new_due_at = _when()


def _choice_or_blank(choices) -> serializers.ChoiceField:
    return serializers.ChoiceField(choices=choices, allow_blank=True, **RO)


class IssueDetailSerializer(IssueListSerializer):
    """The whole issue as the caller may see it, with what the caller may do next."""

    description = serializers.CharField(**RO)
    complexity = serializers.ChoiceField(choices=Complexity.choices, **RO)
    complexity_label = LabelField(Complexity, source="complexity")
    channel = serializers.ChoiceField(choices=Channel.choices, **RO)
    channel_label = LabelField(Channel, source="channel")
    filed_by = serializers.SerializerMethodField()
    contact_name = serializers.CharField(**RO)
    contact_phone = serializers.CharField(**RO)
    merged_into = IssueRefSerializer(**RO, allow_null=True)
    units = IssueUnitPartSerializer(source="part_list", many=True, **RO)
    clocks = StageClockSerializer(source="clock_list", many=True, **RO)
    extensions = IssueExtensionSerializer(source="extension_list", many=True, **RO)
    outcome = _choice_or_blank(Outcome.choices)
    outcome_label = LabelField(Outcome, source="outcome")
    response = serializers.CharField(**RO)
    satisfaction = _choice_or_blank(Satisfaction.choices)
    satisfaction_label = LabelField(Satisfaction, source="satisfaction")
    was_contacted = serializers.BooleanField(**RO, allow_null=True)
    was_solved = serializers.BooleanField(**RO, allow_null=True)
    rating_comment = serializers.CharField(**RO)
    closure_kind = _choice_or_blank(ClosureKind.choices)
    closure_reason = serializers.CharField(**RO)
    reopen_count = serializers.IntegerField(**RO)
    transfer_count = serializers.IntegerField(**RO)
    accepted_at = _when()
    dispatched_at = _when()
    responded_at = _when()
    rated_at = _when()
    closed_at = _when()
    updated_at = serializers.DateTimeField(**RO)
    allowed_actions = serializers.SerializerMethodField(
        help_text=(
            "调用者现在可以进行的操作（POST /issues/{id}/<action>/）/ "
            "actions the caller may take now (POST /issues/{id}/<action>/)"
        )
    )

    @extend_schema_field(IssuePersonRefSerializer)
    def get_filed_by(self, issue: Issue) -> dict:
        return {"id": issue.filed_by_id, "name": issue.filed_by.name}

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=ACTIONS)))
    def get_allowed_actions(self, issue: Issue) -> list[str]:
        return allowed_actions(self.context["request"].user, issue)

    def to_representation(self, issue: Issue) -> dict:
        """The declared fields, written out (``_detail_row``); needs ``get_issue_detail_for``'s lists."""
        if type(self) is not IssueDetailSerializer:
            return super().to_representation(issue)
        return _detail_row(issue, self.context["request"].user)


# ---------------------------------------------------------------- written-out rows
# The hottest paths (a page of 25 list rows, the detail) skip DRF's per-field machinery: these functions give
# exactly what the declared serializers above and below give through DRF's generic path, and
# tests/api/test_issues_serializers.py holds them to it.

_when_text = _DATETIME.to_representation


def _maybe_when(value):
    return None if value is None else _when_text(value)


def _unit_ref(unit) -> dict | None:
    if unit is None:
        return None
    return {"id": unit.pk, "code": unit.code, "name": unit.name, "short_name": unit.short_name}


def _list_row(issue: Issue) -> dict:
    enterprise, category = issue.enterprise, issue.category
    due = getattr(issue, "next_due_at", None)
    return {
        "id": issue.pk,
        "number": issue.number,
        "title": issue.title,
        "status": issue.status,
        "status_label": choice_label(Status, issue.status),
        "urgency": issue.urgency,
        "urgency_label": choice_label(Urgency, issue.urgency),
        "enterprise": {"id": enterprise.pk, "name": enterprise.name, "uscc": enterprise.uscc},
        "category": {
            "id": category.pk,
            "code": category.code,
            "name": category.name,
            "parent_id": category.parent_id,
            "full_name": str(category),
        },
        "lead_unit": _unit_ref(issue.lead_unit),
        "is_escalated": issue.is_escalated,
        "created_at": _when_text(issue.created_at),
        "next_due_at": _maybe_when(due),
        "is_overdue": due is not None and due < clock.now(),
    }


# The columns a list row shows: for ``only()`` on the model path and ``values_list()`` on the
# ``list_row_from_values`` path. The long texts stay in the table.
LIST_VALUES = (
    "id",
    "number",
    "title",
    "status",
    "urgency",
    "is_escalated",
    "created_at",
    "enterprise_id",
    "enterprise__name",
    "enterprise__uscc",
    "category_id",
    "category__code",
    "category__name",
    "category__parent_id",
    "category__parent__name",
    "lead_unit_id",
    "lead_unit__code",
    "lead_unit__name",
    "lead_unit__short_name",
)


def list_row_from_values(values: tuple, next_due_at) -> dict:
    """``_list_row`` from a ``values_list(*LIST_VALUES)`` tuple and the row's soonest due: the same dict,
    without building five model instances per row."""
    (
        pk,
        number,
        title,
        status,
        urgency,
        is_escalated,
        created_at,
        enterprise_id,
        enterprise_name,
        enterprise_uscc,
        category_id,
        category_code,
        category_name,
        parent_id,
        parent_name,
        unit_id,
        unit_code,
        unit_name,
        unit_short_name,
    ) = values
    return {
        "id": pk,
        "number": number,
        "title": title,
        "status": status,
        "status_label": choice_label(Status, status),
        "urgency": urgency,
        "urgency_label": choice_label(Urgency, urgency),
        "enterprise": {"id": enterprise_id, "name": enterprise_name, "uscc": enterprise_uscc},
        "category": {
            "id": category_id,
            "code": category_code,
            "name": category_name,
            "parent_id": parent_id,
            # Category.__str__
            "full_name": f"{parent_name} / {category_name}" if parent_id else category_name,
        },
        "lead_unit": None
        if unit_id is None
        else {"id": unit_id, "code": unit_code, "name": unit_name, "short_name": unit_short_name},
        "is_escalated": is_escalated,
        "created_at": _when_text(created_at),
        "next_due_at": _maybe_when(next_due_at),
        "is_overdue": next_due_at is not None and next_due_at < clock.now(),
    }


def _part_row(part) -> dict:
    return {
        "unit": _unit_ref(part.unit),
        "unit_role": part.role,
        "unit_role_label": choice_label(UnitRole, part.role),
        "dispatched_at": _maybe_when(part.dispatched_at),
        "acknowledged_at": _maybe_when(part.acknowledged_at),
        "first_contact_at": _maybe_when(part.first_contact_at),
        "input_text": part.input_text,
        "input_at": _maybe_when(part.input_at),
        "ended_at": _maybe_when(part.ended_at),
        "end_reason": part.end_reason,
    }


def _clock_row(stage_clock: StageClock, now) -> dict:
    return {
        "id": stage_clock.pk,
        "stage": stage_clock.stage,
        "stage_label": choice_label(Stage, stage_clock.stage),
        "unit": _unit_ref(stage_clock.unit),
        "cycle": stage_clock.cycle,
        "started_at": _when_text(stage_clock.started_at),
        "due_at": _when_text(stage_clock.due_at),
        "original_due_at": _when_text(stage_clock.original_due_at),
        "met_at": _maybe_when(stage_clock.met_at),
        "stopped_at": _maybe_when(stage_clock.stopped_at),
        "counts_hours": stage_clock.counts_hours,
        "due_from_fallback": stage_clock.due_from_fallback,
        "is_running": stage_clock.is_running,
        "is_breached": stage_clock.is_breached(now),
    }


def _extension_row(extension) -> dict:
    return {
        "id": extension.pk,
        "working_days": extension.working_days,
        "reason": extension.reason,
        "requested_at": _when_text(extension.requested_at),
        "decision": extension.status,
        "decision_label": choice_label(ExtensionStatus, extension.status),
        "decided_at": _maybe_when(extension.decided_at),
        "decision_note": extension.decision_note,
        "old_due_at": _when_text(extension.old_due_at),
        "new_due_at": _maybe_when(extension.new_due_at),
    }


def _detail_row(issue: Issue, actor) -> dict:
    now = clock.now()
    merged = issue.merged_into
    return {
        **_list_row(issue),
        "description": issue.description,
        "complexity": issue.complexity,
        "complexity_label": choice_label(Complexity, issue.complexity),
        "channel": issue.channel,
        "channel_label": choice_label(Channel, issue.channel),
        "filed_by": {"id": issue.filed_by_id, "name": issue.filed_by.name},
        "contact_name": issue.contact_name,
        "contact_phone": issue.contact_phone,
        "merged_into": None if merged is None else {"id": merged.pk, "number": merged.number},
        "units": [_part_row(part) for part in issue.part_list],
        "clocks": [_clock_row(stage_clock, now) for stage_clock in issue.clock_list],
        "extensions": [_extension_row(extension) for extension in issue.extension_list],
        "outcome": issue.outcome,
        "outcome_label": choice_label(Outcome, issue.outcome),
        "response": issue.response,
        "satisfaction": issue.satisfaction,
        "satisfaction_label": choice_label(Satisfaction, issue.satisfaction),
        "was_contacted": issue.was_contacted,
        "was_solved": issue.was_solved,
        "rating_comment": issue.rating_comment,
        "closure_kind": issue.closure_kind,
        "closure_reason": issue.closure_reason,
        "reopen_count": issue.reopen_count,
        "transfer_count": issue.transfer_count,
        "accepted_at": _maybe_when(issue.accepted_at),
        "dispatched_at": _maybe_when(issue.dispatched_at),
        "responded_at": _maybe_when(issue.responded_at),
        "rated_at": _maybe_when(issue.rated_at),
        "closed_at": _maybe_when(issue.closed_at),
        "updated_at": _when_text(issue.updated_at),
        "allowed_actions": allowed_actions(actor, issue),
    }


class IssueEventSerializer(serializers.Serializer):
    id = serializers.IntegerField(**RO)
    kind = serializers.ChoiceField(
        choices=EVENT_KINDS, **RO, help_text="机器可读的事件代码 / machine key of the event"
    )
    label = serializers.CharField(**RO, help_text="按请求语言的事件名称 / translated event name")
    actor = serializers.SerializerMethodField()
    actor_unit = IssueUnitRefSerializer(**RO, allow_null=True)
    # StatusEnum (settings' ENUM_NAME_OVERRIDES keeps the one name), or empty.
    from_status = serializers.ChoiceField(
        choices=Status.choices, allow_blank=True, **RO, help_text="原状态，或空 / status before, or empty"
    )
    to_status = serializers.ChoiceField(
        choices=Status.choices, allow_blank=True, **RO, help_text="新状态，或空 / status after, or empty"
    )
    note = serializers.CharField(**RO)
    data = serializers.DictField(**RO, help_text="事件数据（机器可读）/ event data (machine keys)")
    created_at = serializers.DateTimeField(**RO)

    @extend_schema_field(IssuePersonRefSerializer(allow_null=True))
    def get_actor(self, event: IssueEvent) -> dict | None:
        if event.actor_id is None:
            return None
        return {"id": event.actor_id, "name": event.actor.name}


class IssueAttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField(**RO)
    name = serializers.CharField(**RO, help_text="上传时的文件名 / the file's name as uploaded")
    content_type = serializers.CharField(**RO, help_text="平台识别的文件类型 / type as the platform found it")
    size = serializers.IntegerField(**RO, help_text="字节 / bytes")
    sha256 = serializers.CharField(**RO)
    uploaded_by = serializers.SerializerMethodField()
    uploaded_at = serializers.DateTimeField(**RO)
    download_url = serializers.SerializerMethodField(
        help_text="下载地址（需登录）/ download address (signed in)"
    )

    @extend_schema_field(IssuePersonRefSerializer)
    def get_uploaded_by(self, attachment) -> dict:
        return {"id": attachment.uploaded_by_id, "name": attachment.uploaded_by.name}

    @extend_schema_field(OpenApiTypes.URI)
    def get_download_url(self, attachment) -> str:
        path = reverse(
            "api-issue-attachment-file", kwargs={"pk": attachment.issue_id, "attachment_id": attachment.pk}
        )
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


# The input serializers live in ``inputs`` (the registry of moves and the pages use them too).
from services.issues.inputs import (  # noqa: E402
    IssueAttachmentInputSerializer,
    IssueCoHandlerInputSerializer,
    IssueCreateSerializer,
    IssueDispatchInputSerializer,
    IssueEvaluateInputSerializer,
    IssueExtensionDecisionInputSerializer,
    IssueExtensionRequestInputSerializer,
    IssueMergeInputSerializer,
    IssueNoteInputSerializer,
    IssueReasonInputSerializer,
    IssueRequiredNoteInputSerializer,
    IssueRespondInputSerializer,
    IssueTransferInputSerializer,
)

__all__ = [
    "IssueAttachmentInputSerializer",
    "IssueCoHandlerInputSerializer",
    "IssueCreateSerializer",
    "IssueDispatchInputSerializer",
    "IssueEvaluateInputSerializer",
    "IssueExtensionDecisionInputSerializer",
    "IssueExtensionRequestInputSerializer",
    "IssueMergeInputSerializer",
    "IssueNoteInputSerializer",
    "IssueReasonInputSerializer",
    "IssueRequiredNoteInputSerializer",
    "IssueRespondInputSerializer",
    "IssueTransferInputSerializer",
]
