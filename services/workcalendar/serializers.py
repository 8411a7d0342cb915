"""The working-day calendar as the API shows it, and what administrators send to edit it."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from services.workcalendar.actions import FIRST_YEAR, LAST_YEAR, NAME_MAX, NOTE_MAX, NOTICE_MAX
from services.workcalendar.models import CalendarOverride, CalendarYear, DayKind

SOURCE_LABELS = {
    "override": _("管理员设定"),
    "state_council": _("国务院节假日安排"),
    "fallback": _("按周一至周五推定"),
}


class CalendarOverrideSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=DayKind.choices, help_text="类型 / Kind")
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    is_working_day = serializers.SerializerMethodField(help_text="当日是否上班 / a working day")

    class Meta:
        model = CalendarOverride
        fields = ["id", "date", "kind", "kind_label", "is_working_day", "name", "note", "created_at"]
        read_only_fields = ["id", "kind_label", "is_working_day", "created_at"]
        extra_kwargs = {
            "date": {"validators": [], "help_text": "日期 / Date"},
            "name": {"max_length": NAME_MAX, "help_text": "名称，例如：春节 / Name, e.g. Spring Festival"},
            "note": {"max_length": NOTE_MAX, "help_text": "备注 / Note"},
        }

    def get_is_working_day(self, override: CalendarOverride) -> bool:
        return override.kind == DayKind.WORKDAY


class CalendarYearSerializer(serializers.ModelSerializer):
    year = serializers.IntegerField(min_value=FIRST_YEAR, max_value=LAST_YEAR, help_text="年份 / Year")

    class Meta:
        model = CalendarYear
        fields = ["year", "notice", "note", "created_at"]
        read_only_fields = ["created_at"]
        extra_kwargs = {
            "notice": {
                "max_length": NOTICE_MAX,
                "help_text": "通知名称 / The notice, e.g. 国务院办公厅关于2027年部分节假日安排的通知",
            },
            "note": {"max_length": NOTE_MAX, "help_text": "备注 / Note"},
        }


class CalendarYearChangeSerializer(serializers.ModelSerializer):
    """The year is the resource's name and does not change."""

    class Meta:
        model = CalendarYear
        fields = ["notice", "note"]
        extra_kwargs = {"notice": {"max_length": NOTICE_MAX}, "note": {"max_length": NOTE_MAX}}


class DaySerializer(serializers.Serializer):
    date = serializers.DateField()
    weekday = serializers.IntegerField(help_text="星期几，1=周一 … 7=周日 / ISO weekday, 1 = Monday")
    is_working_day = serializers.BooleanField(help_text="是否工作日 / a working day")
    source = serializers.ChoiceField(
        choices=list(SOURCE_LABELS),
        help_text=(
            "依据：override 管理员设定，state_council 国务院节假日安排，fallback 该年未录入、按周一至周五推定 / "
            "decided by: an administrator's override, the State Council's notice, or Monday–Friday because "
            "the year is not covered"
        ),
    )
    source_label = serializers.CharField()
    name = serializers.CharField(help_text="节日名称 / holiday name")


class CalendarDaysSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    working_days = serializers.IntegerField(help_text="区间内工作日数 / working days in the range")
    days = DaySerializer(many=True)
    warnings = serializers.ListField(
        child=serializers.CharField(),
        help_text="未覆盖年份的提示（按周一至周五计算）/ warnings for years not covered (Monday–Friday assumed)",
    )


class CalendarDaysQuerySerializer(serializers.Serializer):
    start = serializers.DateField(help_text="起始日期（含）/ first day, included")
    end = serializers.DateField(help_text="结束日期（含），最多366天 / last day, included; at most 366 days")

    MAX_DAYS = 366

    def validate(self, attrs: dict) -> dict:
        start, end = attrs["start"], attrs["end"]
        if end < start:
            raise serializers.ValidationError({"end": [_("结束日期不能早于起始日期。")]})
        if (end - start).days + 1 > self.MAX_DAYS:
            raise serializers.ValidationError(
                {"end": [_("一次最多查询%(max)d天。") % {"max": self.MAX_DAYS}]}
            )
        return attrs
