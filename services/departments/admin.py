from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from services.departments.models import Unit


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("short_name", "name", "code", "kind", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "short_name", "code")
    search_help_text = _("按全称、简称或编码搜索")
