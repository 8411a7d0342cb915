"""The issues admin looks and never acts.

Every change of an issue's state goes through ``services/issues/actions.py``, which locks the row, checks the
transition and the actor, and writes the event. The admin therefore shows issues and their history
read-only; only the reference data (categories) and the deadline settings are edited here.
"""

from django import forms
from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from services.core.admin import ViewOnly
from services.issues.lifecycle import SYSTEM_EVENTS, TRANSITIONS
from services.issues.models import (
    Category,
    ClockAlert,
    EventOutbox,
    ExtensionRequest,
    Issue,
    IssueAttachment,
    IssueEvent,
    IssueNumberSequence,
    IssuePolicy,
    IssueUnit,
    StageClock,
)


class TopCategoryFilter(admin.SimpleListFilter):
    """Filter by a level-1 category, its level-2 items included. Lists the few top categories, no more."""

    title = _("一级分类")
    parameter_name = "top_category"
    category_path = "category"

    def lookups(self, request, model_admin):
        return Category.objects.filter(parent__isnull=True).values_list("pk", "name")

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        path = self.category_path
        return queryset.filter(Q(**{f"{path}_id": self.value()}) | Q(**{f"{path}__parent_id": self.value()}))


class CategoryTreeFilter(TopCategoryFilter):
    category_path = "pk"

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        return queryset.filter(Q(pk=self.value()) | Q(parent_id=self.value()))


class EventKindFilter(admin.SimpleListFilter):
    title = _("事件")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return [(t.name, t.label) for t in TRANSITIONS] + list(SYSTEM_EVENTS.items())

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


# ---------------------------------------------------------------- reference data and settings


class CategoryForm(forms.ModelForm):
    def clean_parent(self) -> Category | None:
        parent = self.cleaned_data.get("parent")
        if parent is None or self.instance.pk is None:
            return parent
        # A two-level tree: a category is not its own parent, and one with items stays at level 1.
        if parent.pk == self.instance.pk:
            raise forms.ValidationError(_("分类不能以自身为上级分类。"))
        if self.instance.children.exists():
            raise forms.ValidationError(_("该分类下已有二级分类，不能再设置上级分类。"))
        return parent


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    form = CategoryForm
    list_display = ("name", "code", "parent", "default_lead_unit", "led_by_location", "sort", "is_active")
    list_filter = (CategoryTreeFilter, "is_active", "default_lead_unit")
    list_select_related = ("parent", "default_lead_unit")
    search_fields = ("name", "code", "parent__name")
    search_help_text = _("按名称、编码或上级分类搜索")
    ordering = ("parent__sort", "parent__code", "sort", "code")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":
            # A two-level tree: only a level-1 category can be a parent.
            kwargs["queryset"] = Category.objects.filter(parent__isnull=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class IssuePolicyForm(forms.ModelForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The table holds one row, pk 1 (a check constraint says so); a new row is that row.
        if self.instance.pk is None:
            self.instance.pk = 1


# Every stage has an hour limit for urgent problems, in the order a problem meets them.
HOURLY_STAGES = (
    "accept",
    "dispatch",
    "redispatch",
    "review",
    "sign",
    "first_contact",
    "co_input",
    "answer",
    "rating",
)


@admin.register(IssuePolicy)
class IssuePolicyAdmin(admin.ModelAdmin):
    form = IssuePolicyForm
    fieldsets = (
        (
            _("办理时限（工作日）"),
            {
                "fields": (
                    "accept_days",
                    "dispatch_days",
                    "redispatch_days",
                    "review_days",
                    "sign_days",
                    "first_contact_days",
                    "co_input_days",
                    "answer_days_normal",
                    "answer_days_complex",
                    "rating_window_days",
                )
            },
        ),
        (_("紧急诉求（小时）"), {"fields": tuple(f"urgent_{stage}_hours" for stage in HOURLY_STAGES)}),
        (_("特急诉求（小时）"), {"fields": tuple(f"critical_{stage}_hours" for stage in HOURLY_STAGES)}),
        (_("延期"), {"fields": ("extension_max_days", "extension_max_count", "extension_notice_days")}),
        (
            _("督办与考核"),
            {"fields": ("escalate_after_reopens", "escalate_after_transfers", "basic_satisfaction_factor")},
        ),
        (None, {"fields": ("updated_at",)}),
    )
    readonly_fields = ("updated_at",)
    list_display = (
        "__str__",
        "accept_days",
        "sign_days",
        "answer_days_normal",
        "answer_days_complex",
        "updated_at",
    )

    def has_add_permission(self, request) -> bool:
        return super().has_add_permission(request) and not IssuePolicy.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# ---------------------------------------------------------------- an issue and its history, read-only


class IssueEventInline(ViewOnly, admin.TabularInline):
    model = IssueEvent
    fields = ("created_at", "label", "actor", "actor_unit", "from_status", "to_status", "note", "notified_at")
    readonly_fields = fields
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor", "actor_unit", "outbox")

    @admin.display(description=_("通知已分发"))
    def notified_at(self, event: IssueEvent):
        outbox = getattr(event, "outbox", None)
        return outbox.notified_at if outbox else None

    @admin.display(description=_("事件"))
    def label(self, event: IssueEvent) -> str:
        return event.label


class IssueUnitInline(ViewOnly, admin.TabularInline):
    model = IssueUnit
    fields = (
        "unit",
        "role",
        "dispatched_at",
        "acknowledged_at",
        "first_contact_at",
        "input_text",
        "input_at",
        "ended_at",
        "end_reason",
    )
    readonly_fields = fields
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("issue", "unit")


class StageClockInline(ViewOnly, admin.TabularInline):
    model = StageClock
    fields = (
        "stage",
        "unit",
        "cycle",
        "started_at",
        "due_at",
        "original_due_at",
        "met_at",
        "stopped_at",
        "breached_at",
        "counts_hours",
    )
    readonly_fields = fields
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("issue", "unit")


class ExtensionRequestInline(ViewOnly, admin.TabularInline):
    model = ExtensionRequest
    fields = (
        "unit",
        "requested_by",
        "requested_at",
        "working_days",
        "reason",
        "status",
        "decided_by",
        "decided_at",
        "decision_note",
        "old_due_at",
        "new_due_at",
    )
    readonly_fields = fields
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("issue", "unit", "requested_by", "decided_by")


class IssueAttachmentInline(ViewOnly, admin.TabularInline):
    # Names and fingerprints only: the files are read through the API, which checks who may see them.
    model = IssueAttachment
    fields = ("name", "content_type", "size", "sha256", "uploaded_by", "uploaded_at")
    readonly_fields = fields
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("issue", "uploaded_by")


@admin.register(Issue)
class IssueAdmin(ViewOnly, admin.ModelAdmin):
    """Issues are filed and moved only by the actions; here even a superuser sees all and changes nothing."""

    fieldsets = (
        (
            None,
            {
                "fields": (
                    "number",
                    "title",
                    "description",
                    "enterprise",
                    "category",
                    "urgency",
                    "complexity",
                    "channel",
                    "status",
                )
            },
        ),
        (_("提交"), {"fields": ("filed_by", "visit", "contact_name", "contact_phone", "created_at")}),
        (
            _("受理与派单"),
            {
                "fields": (
                    "accepted_at",
                    "dispatched_at",
                    "lead_unit",
                    "merged_into",
                    "transfer_count",
                    "reopen_count",
                    "is_escalated",
                )
            },
        ),
        (_("答复"), {"fields": ("outcome", "response", "responded_at")}),
        (
            _("评价与办结"),
            {
                "fields": (
                    "satisfaction",
                    "was_contacted",
                    "was_solved",
                    "rating_comment",
                    "rated_by",
                    "rated_at",
                    "closure_kind",
                    "closure_reason",
                    "closed_at",
                    "updated_at",
                )
            },
        ),
    )
    list_display = (
        "number",
        "title",
        "enterprise",
        "category",
        "status",
        "lead_unit",
        "urgency",
        "created_at",
    )
    list_filter = (
        "status",
        "urgency",
        "complexity",
        "channel",
        "is_escalated",
        TopCategoryFilter,
        "lead_unit",
    )
    list_select_related = ("enterprise", "category__parent", "lead_unit")
    search_fields = ("number", "title", "enterprise__name", "enterprise__uscc")
    search_help_text = _("按编号、标题、企业名称或统一社会信用代码搜索")
    date_hierarchy = "created_at"
    show_full_result_count = False
    inlines = (
        IssueUnitInline,
        StageClockInline,
        ExtensionRequestInline,
        IssueAttachmentInline,
        IssueEventInline,
    )

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in Issue._meta.concrete_fields]


@admin.register(IssueEvent)
class IssueEventAdmin(ViewOnly, admin.ModelAdmin):
    """The append-only history."""

    list_display = (
        "created_at",
        "issue",
        "label",
        "actor",
        "actor_unit",
        "from_status",
        "to_status",
        "outbox__notified_at",
    )
    list_filter = (EventKindFilter, "to_status", ("outbox__notified_at", admin.EmptyFieldListFilter))
    list_select_related = ("issue", "actor", "actor_unit", "outbox")
    search_fields = ("issue__number", "kind", "note")
    search_help_text = _("按诉求编号、事件键或说明搜索")
    date_hierarchy = "created_at"
    show_full_result_count = False

    @admin.display(description=_("事件"), ordering="kind")
    def label(self, event: IssueEvent) -> str:
        return event.label


@admin.register(EventOutbox)
class EventOutboxAdmin(ViewOnly, admin.ModelAdmin):
    """Whether each event's notifications have gone out (kept off the append-only event row)."""

    list_display = ("event", "created_at", "notified_at")
    list_filter = (("notified_at", admin.EmptyFieldListFilter),)
    list_select_related = ("event", "event__issue")
    date_hierarchy = "created_at"
    show_full_result_count = False


@admin.register(StageClock)
class StageClockAdmin(ViewOnly, admin.ModelAdmin):
    list_display = (
        "issue",
        "stage",
        "unit",
        "cycle",
        "started_at",
        "due_at",
        "met_at",
        "stopped_at",
        "breached_at",
        "due_from_fallback",
    )
    list_filter = (
        "stage",
        "counts_hours",
        "due_from_fallback",
        ("met_at", admin.EmptyFieldListFilter),
        "unit",
    )
    list_select_related = ("issue", "unit")
    search_fields = ("issue__number",)
    search_help_text = _("按诉求编号搜索")
    date_hierarchy = "due_at"
    show_full_result_count = False


@admin.register(IssueUnit)
class IssueUnitAdmin(ViewOnly, admin.ModelAdmin):
    list_display = (
        "issue",
        "unit",
        "role",
        "dispatched_at",
        "acknowledged_at",
        "first_contact_at",
        "ended_at",
    )
    list_filter = ("role", ("ended_at", admin.EmptyFieldListFilter), "unit")
    list_select_related = ("issue", "unit")
    search_fields = ("issue__number",)
    search_help_text = _("按诉求编号搜索")
    date_hierarchy = "dispatched_at"
    show_full_result_count = False


@admin.register(IssueAttachment)
class IssueAttachmentAdmin(ViewOnly, admin.ModelAdmin):
    list_display = ("issue", "name", "content_type", "size", "uploaded_by", "uploaded_at")
    list_filter = ("content_type",)
    list_select_related = ("issue", "uploaded_by")
    search_fields = ("issue__number", "name", "sha256")
    search_help_text = _("按诉求编号、文件名或 SHA-256 搜索")
    date_hierarchy = "uploaded_at"
    show_full_result_count = False
    exclude = ("file",)  # the file itself is read through the API, which checks who may see it


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(ViewOnly, admin.ModelAdmin):
    list_display = (
        "issue",
        "unit",
        "requested_by",
        "requested_at",
        "working_days",
        "status",
        "decided_by",
        "decided_at",
    )
    list_filter = ("status", "unit")
    list_select_related = ("issue", "unit", "requested_by", "decided_by")
    search_fields = ("issue__number", "reason")
    search_help_text = _("按诉求编号或延期理由搜索")
    date_hierarchy = "requested_at"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("clock__issue")


@admin.register(IssueNumberSequence)
class IssueNumberSequenceAdmin(ViewOnly, admin.ModelAdmin):
    list_display = ("year", "last")
    ordering = ("-year",)


@admin.register(ClockAlert)
class ClockAlertAdmin(ViewOnly, admin.ModelAdmin):
    """Reminders and supervision notices (督办) the sweep raised, one per clock, kind and due time."""

    list_display = ("created_at", "issue", "kind", "unit", "due_at", "scheduled_for")
    list_filter = ("kind", "unit__kind")
    list_select_related = ("issue", "unit")
    search_fields = ("issue__number", "issue__title")
    search_help_text = _("按诉求编号或标题搜索")
    date_hierarchy = "created_at"
    show_full_result_count = False
