"""Visits (走访) as the API shows them, and what a specialist sends to log one."""

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from services.accounts.models import Role, User
from services.accounts.serializers import PersonSerializer
from services.core.errors import InvalidInput
from services.core.text import clean_text
from services.enterprises.models import Enterprise
from services.enterprises.selectors import list_enterprises_for
from services.enterprises.serializers import EnterpriseBriefSerializer
from services.issues.actions import TEXT_MAX, TITLE_MAX
from services.issues.lifecycle import Status
from services.issues.models import Category, Complexity, Issue, Urgency
from services.visits.actions import CONDITION_FIELDS, SNAPSHOT_FIELDS
from services.visits.models import Condition, Method, Visit, VisitPhoto

SNAPSHOT_MAX = 5000
MAX_COMPANIONS = 20
MAX_PROBLEMS = 20


class VisitSerializer(serializers.ModelSerializer):
    enterprise = EnterpriseBriefSerializer(read_only=True, help_text="走访企业 / Enterprise visited")
    specialist = PersonSerializer(read_only=True, help_text="服务专员 / Specialist")
    method = serializers.ChoiceField(choices=Method.choices, read_only=True, help_text="方式 / Method")
    method_label = serializers.CharField(source="get_method_display", read_only=True)
    is_on_site = serializers.BooleanField(
        read_only=True, help_text="是否实地走访（计入遍访率）/ on-site (counts towards coverage)"
    )
    problems_found = serializers.IntegerField(
        read_only=True, help_text="走访发现并录入的问题数 / problems found and logged"
    )

    class Meta:
        model = Visit
        fields = [
            "id",
            "enterprise",
            "specialist",
            "visited_at",
            "method",
            "method_label",
            "is_on_site",
            "people_met",
            "problems_found",
        ]
        read_only_fields = fields


class VisitPhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = VisitPhoto
        fields = ["id", "url", "caption", "content_type", "size"]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField())
    def get_url(self, photo: VisitPhoto) -> str:
        # Served through the API (scoped to who may see the visit), never straight from the storage.
        return reverse("api-visit-photo", args=[photo.visit_id, photo.pk])


class VisitIssueSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=Status.choices, read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Issue
        fields = ["id", "number", "title", "status", "status_label"]
        read_only_fields = fields


class VisitDetailSerializer(VisitSerializer):
    companions = PersonSerializer(many=True, read_only=True, help_text="同行人员 / Companions")
    photos = VisitPhotoSerializer(many=True, read_only=True, help_text="照片 / Photos")
    issues = serializers.SerializerMethodField(
        help_text="走访发现的问题（调用者可见的）/ problems found (those the caller may see)"
    )

    class Meta(VisitSerializer.Meta):
        fields = [
            *VisitSerializer.Meta.fields,
            "companions",
            *CONDITION_FIELDS,
            *SNAPSHOT_FIELDS,
            "photos",
            "issues",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(VisitIssueSerializer(many=True))
    def get_issues(self, visit: Visit) -> list[dict]:
        # Prefetched by the view as ``visible_issues``, scoped to the caller.
        return VisitIssueSerializer(visit.visible_issues, many=True).data


def _cleaned(value: str, *, field: str, label: str, max_length: int) -> str:
    """The same free-text rule the actions apply, raised here so the error names the problem's index."""
    try:
        return clean_text(value, field=field, label=label, max_length=max_length)
    except InvalidInput as refused:
        raise serializers.ValidationError(refused.errors[field]) from None


class FoundProblemSerializer(serializers.Serializer):
    category = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.all(), help_text="诉求分类 ID / Category id"
    )
    title = serializers.CharField(max_length=TITLE_MAX, help_text="标题 / Title")
    description = serializers.CharField(max_length=TEXT_MAX, help_text="问题描述 / Description")
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.NORMAL)
    complexity = serializers.ChoiceField(choices=Complexity.choices, default=Complexity.NORMAL)

    def validate_category(self, category: Category) -> Category:
        if not category.is_active:
            raise serializers.ValidationError(_("该分类已停用，请选择其他分类。"))
        return category

    def validate_title(self, value: str) -> str:
        return _cleaned(value, field="title", label=_("标题"), max_length=TITLE_MAX)

    def validate_description(self, value: str) -> str:
        return _cleaned(value, field="description", label=_("问题描述"), max_length=TEXT_MAX)


class VisitCreateSerializer(serializers.Serializer):
    """Parses a visit; ``log_visit`` decides whether the caller may log it and checks the rules."""

    client_key = serializers.UUIDField(
        required=False,
        allow_null=True,
        default=None,
        help_text=(
            "客户端生成的提交标识（UUID）：同一标识再次提交返回首次的结果，不会重复录入 / "
            "a UUID made by the client: sending it again returns the first result instead of a second visit"
        ),
    )
    enterprise = serializers.PrimaryKeyRelatedField(
        queryset=Enterprise.objects.none(), help_text="包联企业 ID / Id of an enterprise the caller serves"
    )
    visited_at = serializers.DateTimeField(help_text="走访时间（含时区）/ When, with a time zone")
    method = serializers.ChoiceField(choices=Method.choices, default=Method.ON_SITE)
    people_met = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    companions = serializers.ListField(
        child=serializers.PrimaryKeyRelatedField(
            queryset=User.objects.filter(is_active=True).exclude(role__in=[Role.ENTERPRISE, ""])
        ),
        required=False,
        max_length=MAX_COMPANIONS,
        help_text="同行人员 ID（政府工作人员）/ ids of officials who came along",
    )
    orders_condition = serializers.ChoiceField(
        choices=Condition.choices, required=False, allow_blank=True, default="", help_text="订单 / orders"
    )
    labour_condition = serializers.ChoiceField(
        choices=Condition.choices, required=False, allow_blank=True, default="", help_text="用工 / labour"
    )
    energy_condition = serializers.ChoiceField(
        choices=Condition.choices, required=False, allow_blank=True, default="", help_text="用能 / energy"
    )
    funds_condition = serializers.ChoiceField(
        choices=Condition.choices, required=False, allow_blank=True, default="", help_text="资金 / funds"
    )
    production_sales_condition = serializers.ChoiceField(
        choices=Condition.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="产销 / production and sales",
    )
    orders = serializers.CharField(max_length=SNAPSHOT_MAX, required=False, allow_blank=True, default="")
    labour = serializers.CharField(max_length=SNAPSHOT_MAX, required=False, allow_blank=True, default="")
    energy = serializers.CharField(max_length=SNAPSHOT_MAX, required=False, allow_blank=True, default="")
    funds = serializers.CharField(max_length=SNAPSHOT_MAX, required=False, allow_blank=True, default="")
    production_sales = serializers.CharField(
        max_length=SNAPSHOT_MAX, required=False, allow_blank=True, default=""
    )
    policies_explained = serializers.CharField(
        max_length=SNAPSHOT_MAX, required=False, allow_blank=True, default=""
    )
    suggestions = serializers.CharField(max_length=SNAPSHOT_MAX, required=False, allow_blank=True, default="")
    problems = FoundProblemSerializer(
        many=True,
        required=False,
        max_length=MAX_PROBLEMS,
        help_text="发现的问题，每条生成一件诉求 / problems found; each becomes an issue",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Only the enterprises the caller may see: another one is "does not exist", like a wrong id.
        request = self.context.get("request")
        if request is not None:
            self.fields["enterprise"].queryset = list_enterprises_for(request.user)
