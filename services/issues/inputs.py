"""What the issue moves take as input: types and shapes only. The actions own the rules (required text,
limits, state, who may act). The API parses with these, and the pages render their forms from the same
fields, so both doors ask for the same things."""

from rest_framework import serializers

from services.departments.models import Unit
from services.enterprises.models import Enterprise
from services.enterprises.selectors import list_enterprises_for
from services.issues.actions import NOTE_MAX, TEXT_MAX, TITLE_MAX
from services.issues.models import Category, Complexity, Issue, Outcome, Satisfaction, Urgency
from services.issues.selectors import visible_issues
from services.visits.models import Visit
from services.visits.selectors import list_visits_for

CO_UNITS_MAX = 20


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
    client_key = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text=(
            "客户端为本次提交生成的随机 UUID；同一标识再次提交（如网络中断后重试）返回首次提交的诉求，不重复立案 / "
            "a random UUID the client makes for this submission: sent again (a retry after a lost answer), "
            "it returns the problem the first one filed and files nothing"
        ),
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


class IssueAttachmentInputSerializer(serializers.Serializer):
    # Empty files and names pass here: the action checks size, kind and name and says what is wrong.
    file = serializers.FileField(
        allow_empty_file=True,
        use_url=False,
        help_text=(
            "PDF、OFD、图片（jpg/png/gif/webp）、Office 文档或纯文本，默认最大 20 MB / "
            "PDF, OFD, images, Office documents or plain text, 20 MB at most by default"
        ),
    )
    note = _note(max_length=200, help_text="附件说明（可选）/ what the file is (optional)")


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


class IssueSupplementInputSerializer(serializers.Serializer):
    text = _note(required=True, max_length=TEXT_MAX, help_text="补充信息 / the information added")


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
