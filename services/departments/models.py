from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    DEPARTMENT = "department", _("区级部门")
    UTILITY = "utility", _("公用事业单位")
    PARK = "park", _("园区管委会")
    TOWN = "town", _("镇街")


class Unit(models.Model):
    """A unit that handles dispatched problems (承办单位): a department, utility, park committee or town."""

    code = models.SlugField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("全称"), max_length=100, unique=True)
    short_name = models.CharField(_("简称"), max_length=40)
    kind = models.CharField(_("类型"), max_length=20, choices=UnitKind.choices)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("承办单位")
        verbose_name_plural = _("承办单位")
        ordering = ["kind", "code"]

    def __str__(self) -> str:
        return self.short_name or self.name
