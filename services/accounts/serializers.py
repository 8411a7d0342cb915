"""What the API says about a person: who the caller is (``me/``) and the short reference used elsewhere."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from services.accounts import roles
from services.accounts.models import Role, User


class PersonSerializer(serializers.Serializer):
    """A person as others see them: id and name only."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True, help_text="姓名 / Display name")


class MeUnitSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True, help_text="全称 / Full name")
    short_name = serializers.CharField(read_only=True, help_text="简称 / Short name")
    kind = serializers.CharField(read_only=True, help_text="类型 / Kind")


class MeEnterpriseSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True, help_text="企业名称 / Name")
    uscc = serializers.CharField(read_only=True, help_text="统一社会信用代码 / USCC")


class MeSerializer(serializers.ModelSerializer):
    """The caller. ``unread_notifications`` is annotated by the view."""

    display_name = serializers.CharField(source="name", read_only=True, help_text="姓名 / Display name")
    role = serializers.ChoiceField(choices=Role.choices, read_only=True, help_text="角色 / Role")
    role_label = serializers.CharField(
        source="get_role_display", read_only=True, help_text="角色名称（按请求语言） / Role label"
    )
    is_administrator = serializers.SerializerMethodField(help_text="系统管理员 / Administrator")
    unit = MeUnitSerializer(read_only=True, allow_null=True, help_text="所属单位 / Unit")
    enterprise = MeEnterpriseSerializer(read_only=True, allow_null=True, help_text="所属企业 / Enterprise")
    unread_notifications = serializers.IntegerField(
        read_only=True, help_text="未读消息数 / Unread notifications"
    )

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "display_name",
            "role",
            "role_label",
            "is_administrator",
            "unit",
            "enterprise",
            "unread_notifications",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.BooleanField())
    def get_is_administrator(self, user: User) -> bool:
        return roles.is_administrator(user)
