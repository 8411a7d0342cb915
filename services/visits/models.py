import os
import uuid

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Method(models.TextChoices):
    ON_SITE = "on_site", _("实地走访")
    PHONE = "phone", _("电话")
    WECHAT = "wechat", _("微信")
    VIDEO = "video", _("视频")
    MEETING = "meeting", _("座谈")


class Condition(models.TextChoices):
    """How one side of the business stands at the visit: the structured part of the operating snapshot."""

    GOOD = "good", _("良好")
    STEADY = "steady", _("平稳")
    STRAINED = "strained", _("吃紧")
    SEVERE = "severe", _("困难")


def _condition(label):
    return models.CharField(label, max_length=10, choices=Condition.choices, blank=True)


class Visit(models.Model):
    """A specialist's visit (走访). Only on-site visits count towards coverage (遍访)."""

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT, related_name="visits"
    )
    specialist = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("服务专员"),
        on_delete=models.PROTECT,
        related_name="visits",
        limit_choices_to={"role": "specialist"},
    )
    companions = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("同行人员"), blank=True, related_name="accompanied_visits"
    )
    visited_at = models.DateTimeField(_("走访时间"), db_index=True)
    method = models.CharField(_("方式"), max_length=10, choices=Method.choices, default=Method.ON_SITE)
    people_met = models.CharField(_("接待人员"), max_length=200, blank=True)
    # The phone's key for this visit: a repeat of the same submission (offline queue, a dropped response)
    # finds the visit it created instead of recording it twice.
    client_key = models.UUIDField(_("提交标识"), null=True, blank=True, unique=True, editable=False)
    orders_condition = _condition(_("订单"))
    labour_condition = _condition(_("用工"))
    energy_condition = _condition(_("用能"))
    funds_condition = _condition(_("资金"))
    production_sales_condition = _condition(_("产销"))
    orders = models.TextField(_("订单情况"), blank=True)
    labour = models.TextField(_("用工情况"), blank=True)
    energy = models.TextField(_("用能情况"), blank=True)
    funds = models.TextField(_("资金情况"), blank=True)
    production_sales = models.TextField(_("产销情况"), blank=True)
    policies_explained = models.TextField(_("政策宣讲"), blank=True)
    suggestions = models.TextField(_("意见建议"), blank=True)
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("走访记录")
        verbose_name_plural = _("走访记录")
        ordering = ["-visited_at"]
        indexes = [
            models.Index(fields=["enterprise", "method", "visited_at"], name="visit_coverage"),
            # A specialist's first on-site visit of a period (the reports' roll-ups of visiting specialists).
            models.Index(fields=["specialist", "method", "visited_at"], name="visit_specialist_method_time"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} {timezone.localtime(self.visited_at):%Y-%m-%d}"

    @property
    def is_on_site(self) -> bool:
        return self.method == Method.ON_SITE


def _photo_storage():
    # The attachments' storage alias: object storage in production, never the web tier's disk.
    return storages["attachments"]


def _photo_path(photo: "VisitPhoto", filename: str) -> str:
    # A random key, not the phone's file name.
    return f"visits/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{os.path.splitext(filename)[1].lower()}"


class VisitPhoto(models.Model):
    visit = models.ForeignKey(
        Visit, verbose_name=_("走访记录"), on_delete=models.CASCADE, related_name="photos"
    )
    image = models.FileField(_("照片"), upload_to=_photo_path, storage=_photo_storage, max_length=200)
    caption = models.CharField(_("说明"), max_length=100, blank=True)
    content_type = models.CharField(_("文件类型"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("大小（字节）"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("走访照片")
        verbose_name_plural = _("走访照片")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.caption or self.image.name


class CoverageReminder(models.Model):
    """The one reminder a specialist gets near a quarter's end about enterprises not yet visited on site."""

    specialist = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("服务专员"),
        on_delete=models.CASCADE,
        related_name="coverage_reminders",
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"))
    enterprises = models.PositiveIntegerField(_("未走访企业数"))
    sent_at = models.DateTimeField(_("提醒时间"))

    class Meta:
        verbose_name = _("遍访提醒")
        verbose_name_plural = _("遍访提醒")
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["specialist", "year", "quarter"], name="one_coverage_reminder_per_quarter"
            ),
            models.CheckConstraint(
                name="coverage_reminder_quarter", condition=Q(quarter__gte=1, quarter__lte=4)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.specialist} {self.year}Q{self.quarter}"
