from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from services.core.admin import ViewOnly
from services.notifications.actions import may_retry_deliveries, retry_failed_deliveries
from services.notifications.models import Delivery, DeliveryStatus, Digest, Notification


@admin.register(Notification)
class NotificationAdmin(ViewOnly, admin.ModelAdmin):
    """Messages are delivered by ``notifications.actions.notify``; the admin only looks."""

    list_display = ("created_at", "recipient", "kind", "title", "read_at", "digested_at")
    list_filter = (
        "kind",
        ("read_at", admin.EmptyFieldListFilter),
        ("digested_at", admin.EmptyFieldListFilter),
    )
    list_select_related = ("recipient",)
    search_fields = ("title", "source_key", "recipient__username", "recipient__display_name")
    search_help_text = _("按标题、来源或接收人搜索")
    date_hierarchy = "created_at"
    show_full_result_count = False


@admin.register(Delivery)
class DeliveryAdmin(ViewOnly, admin.ModelAdmin):
    """The e-mail and SMS outbox. Failed deliveries can be sent again from the first attempt."""

    list_display = (
        "created_at",
        "recipient",
        "channel",
        "address",
        "subject",
        "status",
        "attempts",
        "sent_at",
    )
    list_filter = ("status", "channel")
    list_select_related = ("recipient",)
    search_fields = ("address", "subject", "source_key", "recipient__username")
    search_help_text = _("按地址、主题、来源或接收人搜索")
    date_hierarchy = "created_at"
    show_full_result_count = False
    actions = ["retry"]

    def has_retry_permission(self, request) -> bool:
        # Staff who were only given a view of the outbox are not offered the action they would be refused.
        return may_retry_deliveries(request.user)

    @admin.action(description=_("重新发送所选的失败消息"), permissions=["retry"])
    def retry(self, request, queryset):
        count = retry_failed_deliveries(
            actor=request.user,
            ids=list(queryset.filter(status=DeliveryStatus.FAILED).values_list("pk", flat=True)),
        )
        self.message_user(request, _("已重新排队 %(count)d 条消息。") % {"count": count})


@admin.register(Digest)
class DigestAdmin(ViewOnly, admin.ModelAdmin):
    list_display = ("day", "recipient", "notifications", "created_at")
    list_select_related = ("recipient",)
    date_hierarchy = "day"
