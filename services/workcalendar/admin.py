from django.contrib import admin

from services.workcalendar.models import CalendarOverride, CalendarYear


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ["year", "notice", "created_at"]
    search_fields = ["notice", "note"]
    ordering = ["-year"]
    readonly_fields = ["created_at"]


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "name", "note", "created_at"]
    list_filter = ["kind"]
    search_fields = ["name"]
    date_hierarchy = "date"
    ordering = ["-date"]
    readonly_fields = ["created_at"]
