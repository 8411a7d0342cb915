from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from services.core.admin import ViewOnly
from services.core.errors import ActionRefused
from services.reports import actions
from services.reports.models import AnnualTarget, ExportJob, PeriodSnapshot, ReportedFigure, TargetChange


@admin.register(AnnualTarget)
class AnnualTargetAdmin(admin.ModelAdmin):
    """Targets are written through ``services.reports.actions`` so that each change leaves a record."""

    list_display = ("year", "figure", "unit", "value", "note")
    list_filter = ("year", "figure", "unit")
    list_select_related = ("unit",)
    search_fields = ("note", "unit__name", "unit__short_name")
    search_help_text = _("按说明或单位名称搜索")

    def save_model(self, request, obj, form, change):
        try:
            if change:
                fields = {name: form.cleaned_data[name] for name in form.changed_data}
                actions.change_target(
                    actor=request.user, target=obj.__class__.objects.get(pk=obj.pk), **fields
                )
            else:
                saved = actions.set_target(
                    actor=request.user,
                    year=obj.year,
                    figure=obj.figure,
                    unit=obj.unit,
                    value=obj.value,
                    note=obj.note,
                )
                obj.pk = saved.pk
        except ActionRefused as refusal:
            self.message_user(request, refusal.message, level=messages.ERROR)

    def delete_model(self, request, obj):
        actions.delete_target(actor=request.user, target=obj)

    def delete_queryset(self, request, queryset):
        for target in queryset:
            actions.delete_target(actor=request.user, target=target)


@admin.register(TargetChange)
class TargetChangeAdmin(ViewOnly, admin.ModelAdmin):
    list_display = ("changed_at", "actor", "kind", "year", "figure", "unit", "old_value", "new_value")
    list_filter = ("kind", "year", "figure")
    list_select_related = ("actor", "unit")


@admin.register(PeriodSnapshot)
class PeriodSnapshotAdmin(ViewOnly, admin.ModelAdmin):
    """Closed periods: frozen by the daily task or by an administrator on the reports page."""

    list_display = ("start", "end", "kind", "closed_at", "closed_by", "reason")
    list_filter = ("kind",)
    list_select_related = ("closed_by",)
    exclude = ("data",)


@admin.register(ExportJob)
class ExportJobAdmin(ViewOnly, admin.ModelAdmin):
    """Large Excel exports made in the background; the daily task deletes them once expired."""

    list_display = ("created_at", "requested_by", "title", "state", "done", "total", "expires_at")
    list_filter = ("state",)
    list_select_related = ("requested_by",)


@admin.register(ReportedFigure)
class ReportedFigureAdmin(ViewOnly, admin.ModelAdmin):
    """Figures loaded from seeds/, as the source report states them: shown, never edited here."""

    list_display = ("year", "key", "value", "unit_label", "phrase", "source")
    list_filter = ("year",)
    search_fields = ("key", "phrase", "source")
    search_help_text = _("按键、原文或出处搜索")
