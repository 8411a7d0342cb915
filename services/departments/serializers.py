"""Units (承办单位) as the API shows them."""

from rest_framework import serializers

from services.departments.models import Unit, UnitKind


class UnitBriefSerializer(serializers.ModelSerializer):
    """A unit named inside another resource (a category's lead unit, a user's unit)."""

    class Meta:
        model = Unit
        fields = ["id", "name", "short_name"]
        read_only_fields = fields


class UnitSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=UnitKind.choices, read_only=True, help_text="类型 / Kind")
    kind_label = serializers.CharField(
        source="get_kind_display", read_only=True, help_text="类型名称 / Kind label"
    )

    class Meta:
        model = Unit
        fields = ["id", "code", "name", "short_name", "kind", "kind_label"]
        read_only_fields = fields
