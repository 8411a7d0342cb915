from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from services.notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Messages are delivered by ``notifications.actions.notify``; the admin only looks."""

    list_display = ("created_at", "recipient", "kind", "title", "read_at", "emailed_at")
    list_filter = (
        "kind",
        ("read_at", admin.EmptyFieldListFilter),
        ("emailed_at", admin.EmptyFieldListFilter),
    )
    list_select_related = ("recipient",)
    search_fields = ("title", "source_key", "recipient__username", "recipient__display_name")
    search_help_text = _("按标题、来源或接收人搜索")
    date_hierarchy = "created_at"
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
