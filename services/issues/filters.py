"""Query parameters of the issue lists. Every filter narrows the queryset the selector already scoped."""

from datetime import UTC

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField

from services.core import clock
from services.enterprises.uscc import normalise
from services.issues.lifecycle import Status
from services.issues.models import Urgency
from services.issues.selectors import overdue_condition

USCC_LENGTH = 18
SEARCH_MAX = 100

# ordering parameter → the cursor's ordering (the last field makes it total).
ORDERINGS: dict[str, tuple[str, ...]] = {
    "-created_at": ("-created_at", "-pk"),
    "created_at": ("created_at", "pk"),
    "due_at": ("due_sort", "pk"),
    "-due_at": ("-due_sort_desc", "-pk"),
}
DEFAULT_ORDERING = "-created_at"


class UTCIsoDateTimeField(IsoDateTimeField):
    """ISO 8601, normalised to UTC: PostgreSQL refuses offsets beyond ±15:59 that Python accepts."""

    default_error_messages = {"overflow": _("日期时间超出范围。")}

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is None:
            return None
        try:
            return moment.astimezone(UTC)
        except OverflowError:
            raise forms.ValidationError(self.error_messages["overflow"], code="overflow") from None


class UTCIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UTCIsoDateTimeField


class IssueFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(
        choices=Status.choices, help_text="状态，可多选 / status, repeatable"
    )
    category = django_filters.NumberFilter(
        method="filter_category",
        help_text="分类 id；一级分类包含其二级分类 / category id; a level-1 category includes its children",
    )
    lead_unit = django_filters.NumberFilter(field_name="lead_unit_id", help_text="牵头单位 id / lead unit id")
    town = django_filters.NumberFilter(field_name="enterprise__town_id", help_text="镇街 id / town id")
    park = django_filters.NumberFilter(field_name="enterprise__park_id", help_text="园区 id / park id")
    urgency = django_filters.ChoiceFilter(choices=Urgency.choices, help_text="紧急程度 / urgency")
    overdue = django_filters.BooleanFilter(
        method="filter_overdue",
        help_text="有进行中环节已超期 / has a running stage past its due time",
    )
    due_before = UTCIsoDateTimeFilter(
        field_name="next_due_at", lookup_expr="lte", help_text="最近截止时间不晚于 / soonest due at or before"
    )
    due_after = UTCIsoDateTimeFilter(
        field_name="next_due_at", lookup_expr="gte", help_text="最近截止时间不早于 / soonest due at or after"
    )
    created_after = UTCIsoDateTimeFilter(
        field_name="created_at", lookup_expr="gte", help_text="提交时间不早于 / filed at or after"
    )
    created_before = UTCIsoDateTimeFilter(
        field_name="created_at", lookup_expr="lt", help_text="提交时间早于 / filed before"
    )
    search = django_filters.CharFilter(
        method="filter_search",
        max_length=SEARCH_MAX,
        help_text=(
            "在标题、描述、企业名称中查找，或按统一社会信用代码精确匹配 / "
            "search title, description and enterprise name, or match a USCC exactly"
        ),
    )
    ordering = django_filters.ChoiceFilter(
        choices=[(key, key) for key in ORDERINGS],
        method="keep",
        empty_label=None,
        help_text=(
            "排序：-created_at（默认，最新在前）、created_at、due_at（最近截止在前）、-due_at / "
            "order: -created_at (default, newest first), created_at, due_at (soonest due first), -due_at"
        ),
    )

    def filter_category(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return queryset.filter(Q(category_id=value) | Q(category__parent_id=value))

    def filter_overdue(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        condition = overdue_condition(clock.now())
        return queryset.filter(condition if value else ~condition)

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        text = value.strip()
        if not text:
            return queryset
        code = normalise(text)
        if len(code) == USCC_LENGTH and code.isascii() and code.isalnum():
            # A USCC is matched exactly through its unique index, not by scanning text.
            return queryset.filter(enterprise__uscc=code)
        return queryset.filter(
            Q(title__icontains=text) | Q(enterprise__name__icontains=text) | Q(description__icontains=text)
        )

    def keep(self, queryset: QuerySet, name: str, value) -> QuerySet:
        # The ordering is applied by the cursor pagination (see IssueListView.get_cursor_ordering).
        return queryset


class InboxFilter(IssueFilter):
    """The inbox's filters: the same, but no ``ordering`` — the inbox is always soonest due first."""

    ordering = None
