"""The administrators' additions to the State Council's holiday notices.

Which days are working days is decided in one place, ``services.workcalendar.calendar``; these rows are its
input: a day an administrator has declared a holiday or a make-up working day, and a year whose whole notice
has been entered.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class CalendarYear(models.Model):
    """An administrator has entered this year's whole holiday notice, so the year counts as covered."""

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    notice = models.CharField(
        _("通知"),
        max_length=200,
        blank=True,
        help_text=_("例如：国务院办公厅关于2027年部分节假日安排的通知"),
    )
    note = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("已录入年度")
        verbose_name_plural = _("已录入年度")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(year__gte=1, year__lte=9999),
                name="workcalendar_calendaryear_year_in_range",
            ),
        ]

    def __str__(self) -> str:
        return str(_("%(year)s年") % {"year": self.year})


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("休息日（节假日）")
    WORKDAY = "workday", _("工作日（调休上班）")


class CalendarOverride(models.Model):
    """One day declared a holiday or a make-up working day; it takes precedence over the package."""

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=10, choices=DayKind.choices)
    name = models.CharField(_("名称"), max_length=50, blank=True, help_text=_("例如：春节"))
    note = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("节假日与调休")
        verbose_name_plural = _("节假日与调休")
        ordering = ["-date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=DayKind.values),
                name="workcalendar_calendaroverride_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        label = f"{self.date.isoformat()} {self.get_kind_display()}"
        return f"{label} {self.name}" if self.name else label
