from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from services.core.admin import ViewOnly
from services.reports.models import AnnualTarget, ReportedFigure


@admin.register(AnnualTarget)
class AnnualTargetAdmin(admin.ModelAdmin):
    list_display = ("year", "figure", "unit", "value", "note")
    list_filter = ("year", "figure", "unit")
    list_select_related = ("unit",)
    search_fields = ("note", "unit__name", "unit__short_name")
    search_help_text = _("按说明或单位名称搜索")


@admin.register(ReportedFigure)
class ReportedFigureAdmin(ViewOnly, admin.ModelAdmin):
    """Figures loaded from seeds/, as the source report states them: shown, never edited here."""

    list_display = ("year", "key", "value", "unit_label", "phrase", "source")
    list_filter = ("year",)
    search_fields = ("key", "phrase", "source")
    search_help_text = _("按键、原文或出处搜索")
