from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Method(models.TextChoices):
    ON_SITE = "on_site", _("实地走访")
    PHONE = "phone", _("电话")
    WECHAT = "wechat", _("微信")
    VIDEO = "video", _("视频")
    MEETING = "meeting", _("座谈")


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
        indexes = [models.Index(fields=["enterprise", "method", "visited_at"], name="visit_coverage")]

    def __str__(self) -> str:
        return f"{self.enterprise} {timezone.localtime(self.visited_at):%Y-%m-%d}"

    @property
    def is_on_site(self) -> bool:
        return self.method == Method.ON_SITE


class VisitPhoto(models.Model):
    visit = models.ForeignKey(
        Visit, verbose_name=_("走访记录"), on_delete=models.CASCADE, related_name="photos"
    )
    image = models.FileField(_("照片"), upload_to="visits/%Y/%m/")
    caption = models.CharField(_("说明"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("走访照片")
        verbose_name_plural = _("走访照片")

    def __str__(self) -> str:
        return self.caption or self.image.name
