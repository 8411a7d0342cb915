from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from services.core.admin import ViewOnly
from services.visits.models import CoverageReminder, Visit, VisitPhoto


class VisitPhotoInline(ViewOnly, admin.TabularInline):
    model = VisitPhoto
    fields = ("image", "caption")
    extra = 0


@admin.register(Visit)
class VisitAdmin(ViewOnly, admin.ModelAdmin):
    """Read-only, like problems: visits count towards closed periods' coverage, so corrections go through
    the visits app's actions, which leave a record."""

    fieldsets = (
        (None, {"fields": ("enterprise", "specialist", "companions", "visited_at", "method", "people_met")}),
        (
            _("企业情况"),
            {
                "fields": (
                    "orders",
                    "labour",
                    "energy",
                    "funds",
                    "production_sales",
                    "policies_explained",
                    "suggestions",
                )
            },
        ),
        (_("记录"), {"fields": ("created_at",)}),
    )
    readonly_fields = ("created_at",)
    list_display = ("visited_at", "enterprise", "specialist", "method", "people_met")
    list_filter = ("method",)
    list_select_related = ("enterprise", "specialist")
    search_fields = (
        "enterprise__name",
        "enterprise__uscc",
        "specialist__display_name",
        "specialist__username",
    )
    search_help_text = _("按企业名称、统一社会信用代码或专员姓名搜索")
    date_hierarchy = "visited_at"
    autocomplete_fields = ("enterprise", "specialist", "companions")
    show_full_result_count = False
    inlines = (VisitPhotoInline,)


@admin.register(CoverageReminder)
class CoverageReminderAdmin(ViewOnly, admin.ModelAdmin):
    """What the quarter-end sweep sent: one row per specialist and quarter, written only by the sweep."""

    list_display = ("sent_at", "specialist", "year", "quarter", "enterprises")
    list_filter = ("year", "quarter")
    list_select_related = ("specialist",)
    search_fields = ("specialist__display_name", "specialist__username")
