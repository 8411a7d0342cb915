from django import forms
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from services.enterprises.uscc import normalise, validate_uscc


class TownKind(models.TextChoices):
    STREET = "street", _("街道")
    TOWN = "town", _("镇")


class Town(models.Model):
    code = models.SlugField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=40, unique=True)
    kind = models.CharField(_("类型"), max_length=10, choices=TownKind.choices)

    class Meta:
        verbose_name = _("镇街")
        verbose_name_plural = _("镇街")
        ordering = ["kind", "code"]

    def __str__(self) -> str:
        return self.name


class Park(models.Model):
    code = models.SlugField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=60, unique=True)
    town = models.ForeignKey(Town, verbose_name=_("所在镇街"), on_delete=models.PROTECT, related_name="parks")

    class Meta:
        verbose_name = _("工业园区")
        verbose_name_plural = _("工业园区")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Ladder(models.TextChoices):
    """The 专精特新 ladder a firm climbs."""

    NONE = "", _("未入库")
    INNOVATIVE = "innovative", _("创新型中小企业")
    MUNICIPAL_SRDI = "municipal_srdi", _("市级专精特新")
    LITTLE_GIANT = "little_giant", _("国家级专精特新“小巨人”")
    SINGLE_CHAMPION = "single_champion", _("制造业单项冠军")


class MuJunGrade(models.TextChoices):
    NONE = "", _("未评价")
    A = "A", "A"
    B = "B", "B"
    C = "C", "C"
    D = "D", "D"


def _validate_uscc_field(value: str) -> None:
    validate_uscc(value)


class USCCFormField(forms.CharField):
    def to_python(self, value):
        return normalise(super().to_python(value))


class USCCField(models.CharField):
    """Normalises (case, full-width, spaces, dashes) before validation, so forms and the unique check see
    the one spelling that is stored; a pasted "9111-0000-…" is accepted as typed."""

    def to_python(self, value):
        value = super().to_python(value)
        return normalise(value) if value else value

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": USCCFormField, "max_length": 40, **kwargs})


class Enterprise(models.Model):
    name = models.CharField(_("企业名称"), max_length=100)
    uscc = USCCField(
        _("统一社会信用代码"),
        max_length=18,
        unique=True,
        validators=[_validate_uscc_field],
        error_messages={"unique": _("该统一社会信用代码已登记。")},
        help_text=_("18位，可含空格或短横线，保存时统一为大写。"),
    )
    town = models.ForeignKey(
        Town, verbose_name=_("所在镇街"), on_delete=models.PROTECT, related_name="enterprises"
    )
    park = models.ForeignKey(
        Park,
        verbose_name=_("所在园区"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enterprises",
    )
    industry = models.CharField(_("所属行业"), max_length=60, blank=True)
    is_above_scale = models.BooleanField(_("规上工业企业"), default=False, db_index=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    legal_representative = models.CharField(_("法定代表人"), max_length=50, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    contact_email = models.EmailField(_("联系邮箱"), blank=True)
    ladder = models.CharField(
        _("专精特新梯度"), max_length=20, choices=Ladder.choices, blank=True, default=""
    )
    mujun_grade = models.CharField(
        _("亩均评价等级"), max_length=1, choices=MuJunGrade.choices, blank=True, default=""
    )
    rates_by_phone = models.BooleanField(
        _("电话回访评价"), default=False, help_text=_("企业不在线评价时，由服务专员电话回访并代为录入评价。")
    )
    is_active = models.BooleanField(_("在营"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("企业")
        verbose_name_plural = _("企业")
        ordering = ["name"]
        indexes = [
            models.Index(fields=["town", "park"], name="enterprise_town_park"),
            # The enterprises in scope of on-site coverage (above scale and active), counted from the index.
            models.Index(
                fields=["id"], condition=Q(is_above_scale=True, is_active=True), name="enterprise_in_scope"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        # Stored normalised so that the unique constraint sees one spelling of each code.
        self.uscc = normalise(self.uscc)
        super().save(*args, **kwargs)


class SpecialistAssignment(models.Model):
    """Who serves an enterprise, and since when. Ending a row and starting another keeps the history."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), on_delete=models.PROTECT, related_name="assignments"
    )
    specialist = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("服务专员"),
        on_delete=models.PROTECT,
        related_name="assignments",
        limit_choices_to={"role": "specialist"},
    )
    started_on = models.DateField(_("开始日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("指派人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("专员包联")
        verbose_name_plural = _("专员包联")
        ordering = ["-started_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise"],
                condition=Q(ended_on__isnull=True),
                name="one_current_specialist_per_enterprise",
                violation_error_message=_("该企业已有在岗服务专员，请先结束原包联。"),
            ),
            models.CheckConstraint(
                name="assignment_ends_after_start",
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                violation_error_message=_("结束日期不能早于开始日期。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.specialist} → {self.enterprise}"
