"""Enterprises as the API shows them, and what an administrator sends to register one."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from services.enterprises.models import Enterprise, Ladder, MuJunGrade, Park, SpecialistAssignment, Town


class TownBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Town
        fields = ["id", "code", "name"]
        read_only_fields = fields


class ParkBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Park
        fields = ["id", "code", "name"]
        read_only_fields = fields


class EnterpriseBriefSerializer(serializers.ModelSerializer):
    """An enterprise named inside another resource (a visit)."""

    class Meta:
        model = Enterprise
        fields = ["id", "name", "uscc"]
        read_only_fields = fields


class CurrentSpecialistSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="specialist.pk", read_only=True)
    name = serializers.CharField(source="specialist.name", read_only=True, help_text="姓名 / Name")
    phone = serializers.CharField(source="specialist.phone", read_only=True, help_text="手机号 / Phone")
    since = serializers.DateField(source="started_on", read_only=True, help_text="包联开始 / Serving since")


def _current_assignment(enterprise: Enterprise) -> SpecialistAssignment | None:
    # Prefetched by the view as ``current_assignments`` (at most one row: a database constraint).
    rows = enterprise.current_assignments
    return rows[0] if rows else None


class EnterpriseSerializer(serializers.ModelSerializer):
    town = TownBriefSerializer(read_only=True, help_text="所在镇街 / Town or street")
    park = ParkBriefSerializer(read_only=True, allow_null=True, help_text="所在园区 / Industrial park")
    ladder = serializers.ChoiceField(
        choices=Ladder.choices, read_only=True, help_text="专精特新梯度 / Ladder"
    )
    ladder_label = serializers.CharField(source="get_ladder_display", read_only=True)
    mujun_grade = serializers.ChoiceField(choices=MuJunGrade.choices, read_only=True)
    current_specialist = serializers.SerializerMethodField(help_text="在岗服务专员 / The serving specialist")

    class Meta:
        model = Enterprise
        fields = [
            "id",
            "name",
            "uscc",
            "town",
            "park",
            "industry",
            "is_above_scale",
            "ladder",
            "ladder_label",
            "mujun_grade",
            "is_active",
            "current_specialist",
        ]
        read_only_fields = fields

    @extend_schema_field(CurrentSpecialistSerializer(allow_null=True))
    def get_current_specialist(self, enterprise: Enterprise) -> dict | None:
        assignment = _current_assignment(enterprise)
        return CurrentSpecialistSerializer(assignment).data if assignment else None


class EnterpriseDetailSerializer(EnterpriseSerializer):
    class Meta(EnterpriseSerializer.Meta):
        fields = [
            *EnterpriseSerializer.Meta.fields,
            "address",
            "legal_representative",
            "contact_name",
            "contact_phone",
            "contact_email",
            "rates_by_phone",
            "created_at",
        ]
        read_only_fields = fields


class EnterpriseRegistrationSerializer(serializers.Serializer):
    """Parses what an administrator sends; ``register_enterprise`` checks the rules (USCC, uniqueness)."""

    name = serializers.CharField(max_length=100, trim_whitespace=False, help_text="企业名称 / Name")
    uscc = serializers.CharField(
        max_length=40,
        help_text="统一社会信用代码，18位，可含空格或短横线 / USCC, 18 characters; spaces and dashes allowed",
    )
    town = serializers.PrimaryKeyRelatedField(queryset=Town.objects.all(), help_text="镇街 ID / Town id")
    park = serializers.PrimaryKeyRelatedField(
        queryset=Park.objects.all(), required=False, allow_null=True, help_text="园区 ID / Park id"
    )
    industry = serializers.CharField(max_length=60, required=False, allow_blank=True)
    is_above_scale = serializers.BooleanField(required=False, default=False)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    legal_representative = serializers.CharField(max_length=50, required=False, allow_blank=True)
    contact_name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    contact_phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    contact_email = serializers.EmailField(required=False, allow_blank=True)
    ladder = serializers.ChoiceField(choices=Ladder.choices, required=False, default=Ladder.NONE)
    mujun_grade = serializers.ChoiceField(choices=MuJunGrade.choices, required=False, default=MuJunGrade.NONE)
    rates_by_phone = serializers.BooleanField(required=False, default=False)
