from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as BaseUserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业用户")
    SPECIALIST = "specialist", _("服务专员")
    HANDLER = "handler", _("部门经办人")
    UNIT_HEAD = "unit_head", _("部门负责人")
    DISPATCHER = "dispatcher", _("调度员")
    LEADER = "leader", _("区领导")
    ADMIN = "admin", _("系统管理员")


UNIT_ROLES = (Role.HANDLER, Role.UNIT_HEAD)


class UserManager(BaseUserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        # ``createsuperuser`` makes the system operator: the administrator role goes with it.
        extra_fields.setdefault("role", Role.ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, db_index=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    unit = models.ForeignKey(
        "departments.Unit",
        verbose_name=_("所属单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("所属企业"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    language = models.CharField(
        _("消息语言"), max_length=10, choices=[("zh-hans", "简体中文"), ("en", "English")], default="zh-hans"
    )
    wants_digest = models.BooleanField(
        _("接收每日汇总"), default=False, help_text=_("勾选后，提醒和督办消息合并为每日一封汇总。")
    )

    objects = UserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.CheckConstraint(
                name="enterprise_user_has_enterprise",
                condition=~Q(role="enterprise") | Q(enterprise__isnull=False),
                violation_error_message=_("企业用户必须关联一家企业。"),
            ),
            models.CheckConstraint(
                name="unit_staff_has_unit",
                condition=~Q(role__in=["handler", "unit_head"]) | Q(unit__isnull=False),
                violation_error_message=_("部门经办人和负责人必须关联一个单位。"),
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    def save(self, *args, **kwargs) -> None:
        # A new password or a deactivation ends every API token of this person, whoever saved it (the
        # admin's password form, a command, an action). Sessions end by themselves: Django's session hash
        # covers the password, and an inactive user's session no longer authenticates.
        revoke_tokens = self.pk is not None and (self._password is not None or not self.is_active)
        super().save(*args, **kwargs)
        if revoke_tokens:
            from services.accounts.tokens import revoke_all_tokens

            revoke_all_tokens(self)

    @property
    def name(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    @property
    def is_unit_staff(self) -> bool:
        return self.role in UNIT_ROLES
