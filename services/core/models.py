from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SweepRun(models.Model):
    """What one periodic sweep did: when, how long, how much it found. The operations page reads these."""

    name = models.CharField(_("巡检"), max_length=60)
    started_at = models.DateTimeField(_("开始时间"))
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("耗时（毫秒）"), null=True, blank=True)
    found = models.PositiveIntegerField(_("发现"), default=0)
    processed = models.PositiveIntegerField(_("处理"), default=0)
    error = models.TextField(_("错误"), blank=True)

    class Meta:
        verbose_name = _("巡检记录")
        verbose_name_plural = _("巡检记录")
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["name", "-started_at"], name="sweep_name_started")]

    def __str__(self) -> str:
        return f"{self.name} {timezone.localtime(self.started_at):%Y-%m-%d %H:%M:%S}"
