"""The Django admin for the calendar writes through ``actions``, like the API and the pages do, so an entry
made here also moves the running deadlines it changes, each by an event (DESIGN §3). The actions write the
admin's history rows themselves, so the admin's own logging is switched off here."""

from django.contrib import admin

from services.workcalendar import actions
from services.workcalendar.models import CalendarOverride, CalendarYear


class _WritesThroughActions(admin.ModelAdmin):
    def log_addition(self, request, obj, message):
        return None

    def log_change(self, request, obj, message):
        return None

    def log_deletion(self, request, obj, object_repr):
        return None

    def log_deletions(self, request, queryset):
        return None

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(CalendarYear)
class CalendarYearAdmin(_WritesThroughActions):
    list_display = ["year", "notice", "created_at"]
    search_fields = ["notice", "note"]
    ordering = ["-year"]
    readonly_fields = ["created_at"]

    def get_readonly_fields(self, request, obj=None):
        # The year itself stays: remove the entry and enter another (``actions.change_year``).
        return [*self.readonly_fields, "year"] if obj is not None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            saved = actions.change_year(
                actor=request.user, calendar_year=obj, notice=obj.notice, note=obj.note
            )
        else:
            saved = actions.record_year(actor=request.user, year=obj.year, notice=obj.notice, note=obj.note)
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        actions.remove_year(actor=request.user, calendar_year=obj)


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(_WritesThroughActions):
    list_display = ["date", "kind", "name", "note", "created_at"]
    list_filter = ["kind"]
    search_fields = ["name"]
    date_hierarchy = "date"
    ordering = ["-date"]
    readonly_fields = ["created_at"]

    def save_model(self, request, obj, form, change):
        values = {field: getattr(obj, field) for field in actions.OVERRIDE_FIELDS}
        if change:
            saved = actions.change_override(
                actor=request.user, override=CalendarOverride.objects.get(pk=obj.pk), **values
            )
        else:
            saved = actions.set_override(actor=request.user, **values)
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        actions.remove_override(actor=request.user, override=obj)
