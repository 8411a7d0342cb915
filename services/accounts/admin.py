from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from services.accounts.models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("个人信息"), {"fields": ("display_name", "phone", "email", "first_name", "last_name")}),
        (_("角色与归属"), {"fields": ("role", "unit", "enterprise", "wants_digest")}),
        (
            _("后台权限"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("重要日期"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {"classes": ("wide",), "fields": ("username", "usable_password", "password1", "password2")},
        ),
        (_("角色与归属"), {"fields": ("display_name", "phone", "role", "unit", "enterprise")}),
    )
    list_display = (
        "username",
        "display_name",
        "role",
        "unit",
        "enterprise",
        "phone",
        "is_active",
        "is_staff",
    )
    list_filter = ("role", "unit", "is_active", "is_staff", "is_superuser")
    list_select_related = ("unit", "enterprise")
    search_fields = ("username", "display_name", "phone", "email")
    search_help_text = _("按用户名、姓名、手机号或邮箱搜索")
    autocomplete_fields = ("enterprise",)
    ordering = ("username",)
