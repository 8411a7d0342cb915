"""The report summary and the annual targets as the API shows them, and what administrators send to set targets."""

from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from services.departments.models import Unit
from services.reports.actions import RATE_FIGURES, WHOLE_NUMBER_FIGURES
from services.reports.figures import FIGURES, Breakdown, Kind
from services.reports.models import AnnualTarget, Figure

FIRST_YEAR = 2000
LAST_YEAR = 2100
NOTE_MAX = 200

YEAR_MESSAGE = _("年度应为2000至2100之间的整数。")


def _year_field(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR,
        error_messages={
            "invalid": YEAR_MESSAGE,
            "min_value": YEAR_MESSAGE,
            "max_value": YEAR_MESSAGE,
            "max_string_length": YEAR_MESSAGE,
            "required": _("请指定年度（year）。"),
            "null": _("请指定年度（year）。"),
        },
        **kwargs,
    )


def _unit_field(**kwargs) -> serializers.PrimaryKeyRelatedField:
    return serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.all(),
        error_messages={
            "does_not_exist": _("承办单位不存在。"),
            "incorrect_type": _("承办单位应以编号表示。"),
        },
        **kwargs,
    )


@extend_schema_field({"type": "number", "nullable": True, "example": 0.95})
class FigureNumberField(serializers.Field):
    """A count as an integer, a rate or an average as a number; whole decimals are shown as integers."""

    def to_representation(self, value):
        if isinstance(value, Decimal):
            return int(value) if value == value.to_integral_value() else float(value)
        return value


# ---------------------------------------------------------------- the summary


class ReportSummaryQuerySerializer(serializers.Serializer):
    year = _year_field(help_text="年度 / Year, e.g. 2025")
    by = serializers.ChoiceField(
        choices=Breakdown.CHOICES,
        required=False,
        error_messages={"invalid_choice": _("分组方式应为 unit、category、town、park 或 month。")},
        help_text=(
            "分组：unit 承办单位，category 一级分类，town 镇街，park 园区，month 月份 / "
            "breakdown: by unit, level-1 category, town, park or month"
        ),
    )
    unit = _unit_field(
        required=False,
        help_text=(
            "只看一个承办单位的诉求和派单数据，目标取该单位的目标 / "
            "one unit's issues and dispatches only, against that unit's targets"
        ),
    )


class ReportFigureSerializer(serializers.Serializer):
    value = FigureNumberField(
        help_text=(
            "实际值：计数为整数，比率为0到1之间的小数，无分母或不适用时为 null / "
            "actual value: a count, a rate between 0 and 1, or null when there is no denominator or the "
            "figure does not apply"
        )
    )
    target = FigureNumberField(
        help_text="年度目标，未设定时为 null / the annual target, null when none is set"
    )
    label = serializers.CharField(help_text="指标名称 / the figure's name")
    kind = serializers.ChoiceField(
        choices=[Kind.COUNT, Kind.RATE, Kind.DAYS],
        help_text="count 计数，rate 比率，days 工作日 / a count, a rate or working days",
    )
    numerator = FigureNumberField(help_text="比率和平均值的分子 / what was divided (rates and averages)")
    denominator = serializers.IntegerField(
        allow_null=True, help_text="比率和平均值的分母 / what it was divided by (rates and averages)"
    )
    parts = serializers.DictField(
        child=serializers.IntegerField(),
        help_text=(
            "指标背后的各项计数（分子、分母），每项对应一份明细清单 / the raw counts behind the figure "
            "(numerators and denominator), each the length of a drill-down list"
        ),
    )


class ReportFiguresSerializer(serializers.Serializer):
    """One entry per figure of DESIGN §6 (定义见 services/reports/figures.py)."""

    def get_fields(self):
        return {
            spec.key: ReportFigureSerializer(
                help_text=f"{spec.label} / {spec.key}"
            )  # lazy label: rendered late
            for spec in FIGURES
        }


class ReportRowSerializer(serializers.Serializer):
    key = serializers.JSONField(
        help_text=(
            "分组键：单位、分类、镇街、园区的编号，或月份 YYYY-MM；“无”的一行为 null / "
            "the unit, category, town or park id, or the month as YYYY-MM; null for the row of none"
        )
    )
    label = serializers.CharField(help_text="分组名称 / the row's name")
    figures = ReportFiguresSerializer()


class ReportSummarySerializer(serializers.Serializer):
    year = serializers.IntegerField()
    unit = serializers.IntegerField(allow_null=True, help_text="单位筛选 / the unit filter, if any")
    by = serializers.CharField(allow_null=True, help_text="分组方式 / the breakdown, if any")
    as_of = serializers.DateTimeField(
        help_text="统计截至时间：年度结束后为年末 / figures as of this moment (the year's end once it is over)"
    )
    is_final = serializers.BooleanField(
        help_text="年度已结束，数据不再变化 / the year is over and its figures no longer change"
    )
    is_frozen = serializers.BooleanField(
        help_text="统计期已关账，读取冻结数据 / the period is closed and read from its frozen snapshot"
    )
    frozen_at = serializers.DateTimeField(
        allow_null=True, help_text="关账时间 / when the period was closed, null while it is live"
    )
    figures = ReportFiguresSerializer()
    rows = ReportRowSerializer(
        many=True, help_text="分组明细，未分组时为空 / the breakdown's rows (empty without one)"
    )
    sentence = serializers.CharField(
        allow_null=True,
        help_text=(
            "由数据生成的全区报告语句，按单位筛选时为 null / the district's report sentence, from the data; "
            "null with a unit filter"
        ),
    )
    warnings = serializers.ListField(child=serializers.CharField(), help_text="提示 / warnings")


# ---------------------------------------------------------------- annual targets


class AnnualTargetSerializer(serializers.ModelSerializer):
    year = _year_field(help_text="年度 / Year")
    figure = serializers.ChoiceField(
        choices=Figure.choices,
        error_messages={"invalid_choice": _("“{input}”不是可设定目标的指标。")},
        help_text="指标 / Figure",
    )
    figure_label = serializers.CharField(source="get_figure_display", read_only=True)
    unit = _unit_field(
        required=False, allow_null=True, help_text="单位；留空表示全区目标 / unit; empty for the district"
    )
    unit_name = serializers.SerializerMethodField(
        help_text="单位简称，全区目标为 null / the unit's short name"
    )
    value = serializers.DecimalField(
        max_digits=14,
        decimal_places=4,
        coerce_to_string=False,
        error_messages={
            "invalid": _("目标值应为数字。"),
            "max_digits": _("目标值位数过多。"),
            "max_decimal_places": _("目标值最多保留4位小数。"),
            "max_whole_digits": _("目标值过大。"),
            "required": _("请填写目标值。"),
            "null": _("请填写目标值。"),
        },
        help_text="目标值；比率填0到1之间的小数（0.95即95%） / the target; a rate as a fraction (0.95 = 95%)",
    )

    class Meta:
        model = AnnualTarget
        fields = ["id", "year", "figure", "figure_label", "unit", "unit_name", "value", "note"]
        read_only_fields = ["id", "figure_label", "unit_name"]
        validators: list = []  # uniqueness is checked in validate(), with its own message
        extra_kwargs = {
            "note": {
                "max_length": NOTE_MAX,
                "help_text": "说明 / Note",
                "error_messages": {"max_length": _("说明不能超过200个字。")},
            }
        }

    def get_unit_name(self, target: AnnualTarget) -> str | None:
        return target.unit.short_name if target.unit_id else None

    def validate_value(self, value: Decimal) -> Decimal:
        if value < 0:
            raise serializers.ValidationError(_("目标值不能为负数。"))
        return value

    def validate(self, attrs: dict) -> dict:
        instance = self.instance
        year = attrs.get("year", instance.year if instance else None)
        figure = attrs.get("figure", instance.figure if instance else None)
        unit = attrs.get("unit", instance.unit if instance else None)
        value = attrs.get("value", instance.value if instance else None)
        if figure in RATE_FIGURES and value is not None and value > 1:
            raise serializers.ValidationError(
                {"value": [_("比率类指标的目标值应在0到1之间，例如0.95表示95%。")]}
            )
        if figure in WHOLE_NUMBER_FIGURES and value is not None and value != value.to_integral_value():
            raise serializers.ValidationError({"value": [_("该指标按个数计，目标值应为整数。")]})
        same = AnnualTarget.objects.filter(year=year, figure=figure).filter(
            Q(unit__isnull=True) if unit is None else Q(unit=unit)
        )
        if instance is not None:
            same = same.exclude(pk=instance.pk)
        if same.exists():
            message = (
                _("该年度该指标的全区目标已存在。") if unit is None else _("该年度该单位该指标的目标已存在。")
            )
            raise serializers.ValidationError({"figure": [message]})
        return attrs
