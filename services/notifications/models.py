from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from services.core import clock


class Notification(models.Model):
    """One message in a user's in-app inbox. ``source_key`` makes delivery idempotent per recipient."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("类型"), max_length=30)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=200, blank=True)
    source_key = models.CharField(_("来源"), max_length=80)
    created_at = models.DateTimeField(_("时间"), default=clock.now)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    digested_at = models.DateTimeField(_("已汇总时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("站内消息")
        verbose_name_plural = _("站内消息")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "source_key"], name="one_notification_per_source"),
        ]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_inbox")]

    def __str__(self) -> str:
        return self.title


class Channel(models.TextChoices):
    EMAIL = "email", _("电子邮件")
    SMS = "sms", _("短信")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")


class Delivery(models.Model):
    """One message to send outside the inbox (e-mail, SMS). The table is the outbox: a sweep sends what
    is pending, retries with backoff, and gives up after a number of attempts, leaving it for an operator."""

    notification = models.ForeignKey(
        Notification,
        verbose_name=_("站内消息"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="deliveries",
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    address = models.CharField(_("地址"), max_length=254)
    subject = models.CharField(_("主题"), max_length=200)
    body = models.TextField(_("内容"))
    source_key = models.CharField(_("来源"), max_length=80)
    status = models.CharField(
        _("状态"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试时间"))
    last_error = models.TextField(_("最近错误"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=clock.now)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("消息投递")
        verbose_name_plural = _("消息投递")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "channel", "source_key"], name="one_delivery_per_channel_and_source"
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"], condition=Q(status="pending"), name="delivery_pending_due"
            ),
            models.Index(fields=["status", "-created_at"], name="delivery_status_created"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.address}: {self.subject}"


class Digest(models.Model):
    """The daily summary sent to an official who chose it; one per person per day, whatever reruns."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("接收人"), on_delete=models.CASCADE, related_name="digests"
    )
    day = models.DateField(_("日期"))
    notifications = models.PositiveIntegerField(_("包含消息数"), default=0)
    created_at = models.DateTimeField(_("生成时间"), default=clock.now)

    class Meta:
        verbose_name = _("每日汇总")
        verbose_name_plural = _("每日汇总")
        ordering = ["-day"]
        constraints = [models.UniqueConstraint(fields=["recipient", "day"], name="one_digest_per_day")]

    def __str__(self) -> str:
        return f"{self.recipient} {self.day}"
