"""What the issue API reads and writes. Input serializers check types and shapes only; the actions own the rules
(required text, limits, state, who may act) and raise the refusals the API turns into 400/403/409."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from services.core import clock
from services.core.api import LabelField
from services.departments.models import Unit
from services.enterprises.models import Enterprise
from services.enterprises.selectors import list_enterprises_for
from services.issues import lifecycle as lc
from services.issues.actions import NOTE_MAX, TEXT_MAX, TITLE_MAX
from services.issues.lifecycle import Status
from services.issues.models import (
    Category,
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
from services.issues.permissions import may
from services.issues.selectors import visible_issues
from services.visits.models import Visit
from services.visits.selectors import list_visits_for

# The API's name for each move an actor can make (the path segment of POST /issues/{id}/<action>/).
ACTION_OF_TRANSITION: dict[str, str] = {
    lc.ACCEPT.name: "accept",
    lc.REJECT.name: "reject",
    lc.MERGE.name: "merge",
    lc.DISPATCH.name: "dispatch",
    lc.ACKNOWLEDGE.name: "acknowledge",
    lc.SEND_BACK.name: "send-back",
    lc.TRANSFER.name: "transfer",
    lc.RECORD_CONTACT.name: "contact",
    lc.CO_HANDLER_INPUT.name: "co-handler-input",
    lc.RESPOND.name: "respond",
    lc.REQUEST_EXTENSION.name: "request-extension",
    lc.DECIDE_EXTENSION.name: "decide-extension",
    lc.EVALUATE.name: "evaluate",
    lc.EVALUATE_DISSATISFIED.name: "evaluate",
    lc.REOPEN.name: "reopen",
    lc.REVIEW_CLOSE.name: "close",
    lc.WITHDRAW.name: "withdraw",
}
CO_UNITS_MAX = 20
ACTIONS = tuple(dict.fromkeys(ACTION_OF_TRANSITION.values()))


def allowed_actions(actor, issue: Issue) -> list[str]:
    """The moves the lifecycle allows from the current status and the permissions allow this actor.

    Step rules checked only by the action (a second first contact, an extension too late) may still refuse.
    Needs the detail selector's prefetched ``unit_parts`` and annotated ``serving_specialist_id``.
    """
    is_co_unit = actor.is_authenticated and any(
        part.unit_id == actor.unit_id and part.role == UnitRole.CO and part.ended_at is None
        for part in issue.unit_parts.all()
    )
    context = {
        "current_specialist_id": getattr(issue, "serving_specialist_id", None),
        "is_co_unit": is_co_unit,
        "rates_by_phone": issue.enterprise.rates_by_phone,
    }
    names: list[str] = []
    for transition in lc.allowed_from(issue.status):
        action = ACTION_OF_TRANSITION.get(transition.name)
        if action and action not in names and may(actor, transition, issue, **context):
            names.append(action)
    return names


# ---------------------------------------------------------------- small nested shapes


# Read serializers are plain Serializers with declared fields: a ModelSerializer rebuilds its fields from
# the model on every instantiation, which is most of the cost of a 25-row page.

RO = {"read_only": True}
_DATETIME = serializers.DateTimeField()


def _label(choices: type, value: str) -> str:
    if not value:
        return ""
    try:
        return str(choices(value).label)
    except ValueError:
        return value


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
        when = _DATETIME.to_representation
        enterprise, category, unit = issue.enterprise, issue.category, issue.lead_unit
        due = getattr(issue, "next_due_at", None)
        return {
            "id": issue.pk,
            "number": issue.number,
            "title": issue.title,
            "status": issue.status,
            "status_label": _label(Status, issue.status),
            "urgency": issue.urgency,
            "urgency_label": _label(Urgency, issue.urgency),
            "enterprise": {"id": enterprise.pk, "name": enterprise.name, "uscc": enterprise.uscc},
            "category": {
                "id": category.pk,
                "code": category.code,
                "name": category.name,
                "parent_id": category.parent_id,
                "full_name": str(category),
            },
            "lead_unit": None
            if unit is None
            else {"id": unit.pk, "code": unit.code, "name": unit.name, "short_name": unit.short_name},
            "is_escalated": issue.is_escalated,
            "created_at": when(issue.created_at),
            "next_due_at": None if due is None else when(due),
            "is_overdue": due is not None and due < clock.now(),
        }


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
    units = IssueUnitPartSerializer(source="unit_parts", many=True, **RO)
    clocks = StageClockSerializer(many=True, **RO)
    extensions = IssueExtensionSerializer(many=True, **RO)
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


class IssueEventSerializer(serializers.Serializer):
    id = serializers.IntegerField(**RO)
    kind = serializers.CharField(**RO, help_text="机器可读的事件代码 / machine key of the event")
    label = serializers.CharField(**RO, help_text="按请求语言的事件名称 / translated event name")
    actor = serializers.SerializerMethodField()
    actor_unit = IssueUnitRefSerializer(**RO, allow_null=True)
    # Plain strings: an enum here would repeat StatusEnum under a second name in the schema.
    from_status = serializers.CharField(
        **RO, help_text="原状态（status 的取值或空）/ status before, or empty"
    )
    to_status = serializers.CharField(**RO, help_text="新状态（status 的取值或空）/ status after, or empty")
    note = serializers.CharField(**RO)
    data = serializers.JSONField(**RO, help_text="事件数据（机器可读）/ event data (machine keys)")
    created_at = serializers.DateTimeField(**RO)

    @extend_schema_field(IssuePersonRefSerializer(allow_null=True))
    def get_actor(self, event: IssueEvent) -> dict | None:
        if event.actor_id is None:
            return None
        return {"id": event.actor_id, "name": event.actor.name}


# ---------------------------------------------------------------- input


def _note(
    *, required: bool = False, max_length: int = NOTE_MAX, help_text: str = ""
) -> serializers.CharField:
    # Blank is let through: the action says which text is required, in its own words.
    return serializers.CharField(
        required=required,
        allow_blank=True,
        max_length=max_length,
        default="" if not required else serializers.empty,
        help_text=help_text,
    )


def _unit_list(*, help_text: str) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all()),
        required=False,
        default=list,
        max_length=CO_UNITS_MAX,
        help_text=help_text,
    )


class IssueCreateSerializer(serializers.Serializer):
    enterprise = serializers.PrimaryKeyRelatedField(
        queryset=Enterprise.objects.none(),
        required=False,
        help_text="企业用户可省略（默认本企业）/ optional for enterprise users (their own enterprise)",
    )
    category = serializers.PrimaryKeyRelatedField(queryset=Category.objects.all())
    title = serializers.CharField(max_length=TITLE_MAX, allow_blank=True)
    description = serializers.CharField(max_length=TEXT_MAX, allow_blank=True)
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.NORMAL)
    complexity = serializers.ChoiceField(choices=Complexity.choices, default=Complexity.NORMAL)
    contact_name = serializers.CharField(max_length=50, allow_blank=True, default="")
    contact_phone = serializers.CharField(max_length=20, allow_blank=True, default="")
    visit = serializers.PrimaryKeyRelatedField(
        queryset=Visit.objects.none(),
        required=False,
        allow_null=True,
        help_text="来源走访记录 / the visit the problem was found on",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            # Only what the caller may see can be named: another enterprise is as unknown as a missing one.
            self.fields["enterprise"].queryset = list_enterprises_for(request.user)
            self.fields["visit"].queryset = list_visits_for(request.user)

    def validate(self, attrs: dict) -> dict:
        actor = self.context["request"].user
        if "enterprise" not in attrs:
            if actor.enterprise_id is None:
                raise serializers.ValidationError(
                    {"enterprise": [self.fields["enterprise"].error_messages["required"]]}
                )
            attrs["enterprise"] = actor.enterprise
        return attrs


class IssueNoteInputSerializer(serializers.Serializer):
    note = _note(help_text="意见（可选）/ note (optional)")


class IssueReasonInputSerializer(serializers.Serializer):
    reason = _note(required=True, help_text="理由 / reason")


class IssueRequiredNoteInputSerializer(serializers.Serializer):
    note = _note(required=True, help_text="说明 / note")


class IssueMergeInputSerializer(serializers.Serializer):
    into = serializers.PrimaryKeyRelatedField(
        queryset=Issue.objects.none(), help_text="保留的诉求 id / id of the issue that carries on"
    )
    note = _note(help_text="合并说明 / note")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["into"].queryset = visible_issues(request.user)


class IssueDispatchInputSerializer(serializers.Serializer):
    lead_unit = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.all(), help_text="牵头单位 / lead unit"
    )
    co_units = _unit_list(help_text="协办单位 id 列表 / ids of co-handling units")
    complexity = serializers.ChoiceField(choices=Complexity.choices, required=False)
    note = _note(help_text="派单意见 / note")


class IssueTransferInputSerializer(serializers.Serializer):
    lead_unit = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.all(), help_text="新牵头单位 / new lead unit"
    )
    co_units = _unit_list(help_text="新协办单位 id 列表 / ids of the new co-handling units")
    note = _note(help_text="转办意见 / note")


class IssueCoHandlerInputSerializer(serializers.Serializer):
    text = _note(required=True, max_length=TEXT_MAX, help_text="协办意见 / the co-handler's input")


class IssueRespondInputSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    reply = _note(required=True, max_length=TEXT_MAX, help_text="答复内容 / the answer")


class IssueExtensionRequestInputSerializer(serializers.Serializer):
    working_days = serializers.IntegerField(
        min_value=1, max_value=365, help_text="申请延期工作日 / working days"
    )
    reason = _note(required=True, help_text="延期理由 / reason")


class IssueExtensionDecisionInputSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    note = _note(help_text="审核意见（不同意时必填）/ note (required when declining)")


class IssueEvaluateInputSerializer(serializers.Serializer):
    satisfaction = serializers.ChoiceField(choices=Satisfaction.choices)
    was_contacted = serializers.BooleanField(help_text="是否联系过企业 / was the enterprise contacted")
    was_solved = serializers.BooleanField(help_text="问题是否解决 / was the problem solved")
    comment = _note(help_text="评价意见（不满意时必填）/ comment (required when dissatisfied)")
