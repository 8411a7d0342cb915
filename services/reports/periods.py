"""The period picker: a year, a quarter, a month or a custom range, from a query string."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from services.reports.snapshots import month
from services.visits.coverage import Period

FIRST_YEAR, LAST_YEAR = 2000, 2100
LONGEST_CUSTOM_DAYS = 366 * 5


class PeriodForm(forms.Form):
    KINDS = (("year", _("年度")), ("quarter", _("季度")), ("month", _("月份")), ("custom", _("自定义")))

    kind = forms.ChoiceField(label=_("统计期"), choices=KINDS, required=False)
    year = forms.IntegerField(
        label=_("年度"),
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR,
        required=False,
        error_messages={
            "min_value": _("年度应为2000至2100之间的整数。"),
            "max_value": _("年度应为2000至2100之间的整数。"),
            "invalid": _("年度应为2000至2100之间的整数。"),
        },
    )
    quarter = forms.TypedChoiceField(
        label=_("季度"), choices=[(n, n) for n in range(1, 5)], coerce=int, required=False, empty_value=None
    )
    month = forms.TypedChoiceField(
        label=_("月份"), choices=[(n, n) for n in range(1, 13)], coerce=int, required=False, empty_value=None
    )
    start = forms.DateField(
        label=_("开始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(label=_("结束日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, data=None, *, today: dt.date, **kwargs) -> None:
        super().__init__(data, **kwargs)
        self.today = today

    def clean(self) -> dict:
        data = super().clean()
        kind = data.get("kind") or "year"
        data["kind"] = kind
        year = data.get("year") or self.today.year
        data["year"] = year
        if kind == "quarter" and not data.get("quarter"):
            self.add_error("quarter", _("请选择季度。"))
        if kind == "month" and not data.get("month"):
            self.add_error("month", _("请选择月份。"))
        if kind == "custom":
            start, end = data.get("start"), data.get("end")
            if start is None:
                self.add_error("start", _("请填写开始日期。"))
            if end is None:
                self.add_error("end", _("请填写结束日期。"))
            if start and end:
                if end < start:
                    self.add_error("end", _("结束日期不能早于开始日期。"))
                elif (end - start).days >= LONGEST_CUSTOM_DAYS:
                    self.add_error("end", _("自定义统计期最长5年。"))
        return data

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["aria-describedby"] = f"{self[name].auto_id}-error"
                widget.attrs["aria-invalid"] = "true"

    def period(self) -> Period:
        """The chosen period (the current year when nothing valid was chosen)."""
        if not self.is_valid():
            return Period.year(self.today.year)
        data = self.cleaned_data
        if data["kind"] == "quarter":
            return Period.quarter(data["year"], data["quarter"])
        if data["kind"] == "month":
            return month(data["year"], data["month"])
        if data["kind"] == "custom":
            return Period(data["start"], data["end"] + dt.timedelta(days=1))
        return Period.year(data["year"])


def describe(period: Period) -> str:
    """The period in words: 2023年, 2023年第2季度, 2023年3月, 2023-03-01至2023-03-31."""
    from services.reports.snapshots import period_kind

    kind = period_kind(period)
    start = period.start
    if kind == "year":
        return _("%(year)s年") % {"year": start.year}
    if kind == "quarter":
        return _("%(year)s年第%(quarter)s季度") % {"year": start.year, "quarter": period.quarter_number}
    if kind == "month":
        return _("%(year)s年%(month)s月") % {"year": start.year, "month": start.month}
    return _("%(start)s至%(end)s") % {"start": start.isoformat(), "end": period.last_day.isoformat()}


def query_of(period: Period) -> str:
    """The query string that picks ``period`` again (for links to drill-downs and exports)."""
    from services.reports.snapshots import period_kind

    kind = period_kind(period)
    start = period.start
    if kind == "year":
        return f"kind=year&year={start.year}"
    if kind == "quarter":
        return f"kind=quarter&year={start.year}&quarter={period.quarter_number}"
    if kind == "month":
        return f"kind=month&year={start.year}&month={start.month}"
    return f"kind=custom&start={start.isoformat()}&end={period.last_day.isoformat()}"
