from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from services.core.models import SweepRun


class ViewOnly:
    """No add, change or delete for anyone: rows written by actions and sweeps are only looked at here."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SweepRun)
class SweepRunAdmin(ViewOnly, admin.ModelAdmin):
    list_display = ("name", "started_at", "duration_ms", "found", "processed", "error")
    list_filter = ("name", ("error", admin.EmptyFieldListFilter))
    date_hierarchy = "started_at"
    search_fields = ("name",)
    search_help_text = _("按巡检名称搜索")
    show_full_result_count = False
