from django import forms
from django.contrib import admin
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import gettext_lazy as _

from services.accounts import roles
from services.accounts.models import Role
from services.enterprises.actions import assign_specialist
from services.enterprises.models import Enterprise, Park, SpecialistAssignment, Town


@admin.register(Town)
class TownAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "kind")
    list_filter = ("kind",)
    search_fields = ("name", "code")


@admin.register(Park)
class ParkAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "town")
    list_filter = ("town",)
    list_select_related = ("town",)
    search_fields = ("name", "code")


class AssignmentInline(admin.TabularInline):
    """The enterprise's specialists, past and present. Changes go through the 专员包联 page."""

    model = SpecialistAssignment
    fk_name = "enterprise"
    fields = ("specialist", "started_on", "ended_on", "assigned_by", "note")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("enterprise", "specialist", "assigned_by")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


def _current_specialist_name() -> Subquery:
    current = SpecialistAssignment.objects.filter(enterprise=OuterRef("pk"), ended_on__isnull=True)
    name = Coalesce(NullIf("specialist__display_name", Value("")), "specialist__username")
    return Subquery(current.values(name=name)[:1])


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    fieldsets = (
        (None, {"fields": ("name", "uscc", "town", "park", "industry", "address", "legal_representative")}),
        (_("联系方式"), {"fields": ("contact_name", "contact_phone", "contact_email")}),
        (
            _("企业画像"),
            {"fields": ("is_above_scale", "ladder", "mujun_grade", "rates_by_phone", "is_active")},
        ),
        (_("记录"), {"fields": ("created_at",)}),
    )
    readonly_fields = ("created_at",)
    list_display = (
        "name",
        "uscc",
        "town",
        "park",
        "is_above_scale",
        "ladder",
        "mujun_grade",
        "current_specialist",
        "is_active",
    )
    list_filter = ("town", "park", "is_above_scale", "ladder", "mujun_grade", "rates_by_phone", "is_active")
    list_select_related = ("town", "park")
    search_fields = ("name", "uscc")
    search_help_text = _("按企业名称或统一社会信用代码搜索")
    show_full_result_count = False
    inlines = (AssignmentInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(current_specialist_name=_current_specialist_name())

    @admin.display(description=_("在岗服务专员"), ordering="current_specialist_name")
    def current_specialist(self, enterprise: Enterprise) -> str | None:
        return enterprise.current_specialist_name


class AssignSpecialistForm(forms.ModelForm):
    """Adding a row assigns a specialist through ``assign_specialist``, which ends the previous assignment."""

    class Meta:
        model = SpecialistAssignment
        fields = ("enterprise", "specialist", "started_on", "note")

    def clean(self):
        cleaned = super().clean()
        enterprise, started_on = cleaned.get("enterprise"), cleaned.get("started_on")
        if enterprise and started_on:
            current = SpecialistAssignment.objects.filter(
                enterprise=enterprise, ended_on__isnull=True
            ).first()
            if current is not None and started_on < current.started_on:
                self.add_error("started_on", _("新包联的开始日期不能早于现有包联的开始日期。"))
        return cleaned

    def validate_unique(self) -> None:
        # The current assignment is ended by the action, so "one current specialist" holds after saving.
        pass


class AssignmentStateFilter(admin.SimpleListFilter):
    title = _("包联状态")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return (("current", _("在岗")), ("ended", _("已结束")))

    def queryset(self, request, queryset):
        if self.value() == "current":
            return queryset.filter(ended_on__isnull=True)
        if self.value() == "ended":
            return queryset.filter(ended_on__isnull=False)
        return queryset


@admin.register(SpecialistAssignment)
class SpecialistAssignmentAdmin(admin.ModelAdmin):
    list_display = ("enterprise", "specialist", "started_on", "ended_on", "assigned_by", "note")
    list_filter = (AssignmentStateFilter,)
    list_select_related = ("enterprise", "specialist", "assigned_by")
    search_fields = (
        "enterprise__name",
        "enterprise__uscc",
        "specialist__display_name",
        "specialist__username",
    )
    search_help_text = _("按企业名称、统一社会信用代码或专员姓名搜索")
    autocomplete_fields = ("enterprise", "specialist")
    date_hierarchy = "started_on"

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = AssignSpecialistForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("enterprise", "specialist", "started_on", "note")
        return ("enterprise", "specialist", "started_on", "ended_on", "assigned_by", "note")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        # Ending an assignment (结束日期) and its note are the only corrections made in place.
        return ("enterprise", "specialist", "started_on", "assigned_by")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "specialist":
            kwargs["queryset"] = db_field.remote_field.model.objects.filter(
                role=Role.SPECIALIST, is_active=True
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_add_permission(self, request) -> bool:
        user = request.user
        return super().has_add_permission(request) and roles.is_administrator(user)

    def save_model(self, request, obj, form, change) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        assignment = assign_specialist(
            enterprise=obj.enterprise,
            specialist=obj.specialist,
            actor=request.user,
            started_on=obj.started_on,
            note=obj.note,
        )
        # The admin's messages and redirect refer to ``obj``: point it at the row the action kept.
        obj.pk = assignment.pk
        obj.assigned_by = assignment.assigned_by
        obj.started_on = assignment.started_on
        obj._state.adding = False
