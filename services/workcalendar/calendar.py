"""The one place that decides which days are working days.

Precedence, for every date from ``date.min`` to ``date.max``:

1. an administrator's ``CalendarOverride`` row for that date;
2. the State Council's notice as carried by the ``chinese-calendar`` package (it raises
   ``NotImplementedError`` for the years it does not know; we ask it, never guess its range);
3. Monday to Friday.

Deadlines are counted the way administrative law counts: N working days *after* the start day, due at
23:59:59 Asia/Shanghai on the N-th working day. No other module may call ``chinese_calendar``.

Nothing here is cached across calls (the product runs in several processes, and an administrator's edit
must count at once); one call loads the overrides it needs in one query and remembers them until it returns.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal
from zoneinfo import ZoneInfo

import chinese_calendar
from django.db import connection
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from services.core import sqlread
from services.workcalendar.models import CalendarOverride, CalendarYear, DayKind

__all__ = [
    "SHANGHAI",
    "DayInfo",
    "add_working_days",
    "coverage_warning",
    "day_info",
    "days_between",
    "due_at",
    "is_working_day",
    "is_year_covered",
    "uncovered_years",
    "warnings_for",
    "working_days_between",
]

SHANGHAI = ZoneInfo("Asia/Shanghai")
END_OF_DAY = dt.time(23, 59, 59)

Source = Literal["override", "state_council", "fallback"]

# The package names holidays in English; show them in the interface language.
HOLIDAY_NAMES = {
    "New Year's Day": _("元旦"),
    "Spring Festival": _("春节"),
    "Tomb-sweeping Day": _("清明节"),
    "Labour Day": _("劳动节"),
    "Dragon Boat Festival": _("端午节"),
    "National Day": _("国庆节"),
    "Mid-autumn Festival": _("中秋节"),
    "Anti-Fascist 70th Day": _("中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日"),
}

# A make-up working day (调休上班) is named for what it is, not for the holiday it pays for: a Saturday
# labelled 春节 reads as a day off.
MAKE_UP_DAY = _("调休上班")

ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class DayInfo:
    date: dt.date
    is_working_day: bool
    source: Source
    name: str


def _from_package(day: dt.date) -> DayInfo | None:
    """The State Council's answer for ``day``, or None when the package does not know the year."""
    try:
        is_holiday, english_name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return None
    if not is_holiday and english_name:
        name = str(MAKE_UP_DAY)
    else:
        name = str(HOLIDAY_NAMES.get(english_name, english_name)) if english_name else ""
    return DayInfo(date=day, is_working_day=not is_holiday, source="state_council", name=name)


def _from_override(override: CalendarOverride) -> DayInfo:
    is_working = override.kind == DayKind.WORKDAY
    return DayInfo(
        date=override.date,
        is_working_day=is_working,
        source="override",
        name=str(MAKE_UP_DAY) if is_working else override.name,
    )


def _fallback(day: dt.date) -> DayInfo:
    return DayInfo(date=day, is_working_day=day.weekday() < 5, source="fallback", name="")


def _decide(day: dt.date, override: CalendarOverride | None) -> DayInfo:
    if override is not None:
        return _from_override(override)
    return _from_package(day) or _fallback(day)


def _add_days_clamped(day: dt.date, days: int) -> dt.date:
    """``day + days``, stopped at ``date.max``."""
    if days >= (dt.date.max - day).days:
        return dt.date.max
    return day + dt.timedelta(days=days)


def _load_overrides(first: dt.date, last: dt.date) -> dict[dt.date, CalendarOverride]:
    """The overrides from ``first`` through ``last``, in one query. Written out (``services.core.sqlread``):
    it runs for every deadline computed and on the page of every problem a lead unit is handling."""
    shape = sqlread.columns(CalendarOverride, "cal")
    day = f"cal.{connection.ops.quote_name('date')}"
    adapt = connection.ops.adapt_datefield_value
    found = sqlread.rows(
        f"SELECT {shape.sql} FROM {shape.table} WHERE {day} >= %s AND {day} <= %s",
        [adapt(first), adapt(last)],
        shape,
    )
    return {row.date: row for (row,) in found}


class _Window:
    """The overrides of a date range that only grows forward, each part loaded in one query.

    Lives for a single call only.
    """

    def __init__(self, first: dt.date, last: dt.date) -> None:
        self._first = first
        self._last = last
        self._overrides = _load_overrides(first, last)

    def info(self, day: dt.date) -> DayInfo:
        if day > self._last:
            # Widen by at least as much again as already loaded, so a long walk costs few queries.
            span = max((self._last - self._first).days, 30)
            last = max(day, _add_days_clamped(self._last, span))
            self._overrides.update(_load_overrides(self._last + ONE_DAY, last))
            self._last = last
        return _decide(day, self._overrides.get(day))


def _out_of_range() -> ValueError:
    return ValueError(gettext("日期超出了可以计算的范围（公元1年1月1日至9999年12月31日）。"))


def day_info(day: dt.date) -> DayInfo:
    """Whether ``day`` is a working day, why, and the holiday's name if it has one."""
    return _decide(day, CalendarOverride.objects.filter(date=day).first())


def days_between(first: dt.date, last: dt.date) -> list[DayInfo]:
    """Every day from ``first`` through ``last`` (both included), decided as ``day_info`` would, in one query.

    Empty when ``last`` is before ``first``. Callers bound the range; this walks it day by day.
    """
    if last < first:
        return []
    overrides = _load_overrides(first, last)
    days, day = [], first
    while True:
        days.append(_decide(day, overrides.get(day)))
        if day == last:
            return days
        day += ONE_DAY


def is_working_day(day: dt.date) -> bool:
    return day_info(day).is_working_day


def add_working_days(start: dt.date, n: int) -> dt.date:
    """The n-th working day after ``start``; the start day itself is not counted.

    ``n == 0`` gives ``start``. Raises ``ValueError`` for a negative ``n`` and when the answer would fall
    after ``date.max``.
    """
    if n < 0:
        raise ValueError(f"n must not be negative, got {n}")
    if n == 0:
        return start
    if start == dt.date.max:
        raise _out_of_range()
    # n working days fit in 3n + 30 calendar days even across the longest break a notice has given (nine
    # days); the window widens itself if administrators have declared an unusually long one.
    window = _Window(start + ONE_DAY, _add_days_clamped(start, n * 3 + 30))
    day, counted = start, 0
    while counted < n:
        if day == dt.date.max:
            raise _out_of_range()
        day += ONE_DAY
        if window.info(day).is_working_day:
            counted += 1
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """How many working days ``d`` there are with ``start < d <= end`` (0 when ``end <= start``).

    Years the package knows are walked day by day; the others are counted Monday to Friday by arithmetic and
    then corrected for their overrides, so even year 1 to year 9999 is answered at once.
    """
    if end <= start:
        return 0
    overrides = _load_overrides(start + ONE_DAY, end)
    count = 0
    for year in range((start + ONE_DAY).year, end.year + 1):
        after = start if year == (start + ONE_DAY).year else dt.date(year - 1, 12, 31)
        through = end if year == end.year else dt.date(year, 12, 31)
        if _package_covers(year):
            count += sum(
                _decide(day, overrides.get(day)).is_working_day
                for day in (after + dt.timedelta(days=i) for i in range(1, (through - after).days + 1))
            )
        else:
            count += _weekdays_through(through) - _weekdays_through(after)
    for day, override in overrides.items():
        if not _package_covers(day.year):
            count += int(override.kind == DayKind.WORKDAY) - int(day.weekday() < 5)
    return count


def _weekdays_through(day: dt.date) -> int:
    """How many Mondays to Fridays there are from ``date.min`` (a Monday) through ``day``."""
    weeks, rest = divmod(day.toordinal(), 7)
    return weeks * 5 + min(rest, 5)


def due_at(start: dt.datetime, working_days: int) -> dt.datetime:
    """23:59:59 Asia/Shanghai on the ``working_days``-th working day after ``start``'s local date.

    ``start`` must be timezone-aware.
    """
    if start.tzinfo is None or start.tzinfo.utcoffset(start) is None:
        raise ValueError("start must be a timezone-aware datetime")
    try:
        local_day = start.astimezone(SHANGHAI).date()
    except OverflowError:  # e.g. 9999-12-31 20:00 UTC is already year 10000 in Shanghai
        raise _out_of_range() from None
    return dt.datetime.combine(add_working_days(local_day, working_days), END_OF_DAY, tzinfo=SHANGHAI)


def _package_covers(year: int) -> bool:
    try:
        chinese_calendar.is_workday(dt.date(year, 1, 1))
    except (NotImplementedError, ValueError):  # a year the package does not know, or no year at all
        return False
    return True


def _message(year: int) -> str:
    return gettext(
        "%(year)s年的法定节假日安排尚未录入，按周一至周五计算工作日，"
        "请管理员在“工作日历”中录入当年节假日和调休安排。"
    ) % {"year": year}


def is_year_covered(year: int) -> bool:
    """True when the package carries the year's notice or an administrator has entered it."""
    return _package_covers(year) or CalendarYear.objects.filter(year=year).exists()


def coverage_warning(year: int) -> str | None:
    """A message for the user when ``year``'s holidays are unknown and Monday–Friday is assumed."""
    return None if is_year_covered(year) else _message(year)


def uncovered_years(first: dt.date, last: dt.date) -> list[int]:
    """The years from ``first`` through ``last`` whose working days are assumed Monday–Friday, in one query.

    A deadline counted across such a year is provisional: it says so, and moves when the year is entered.
    """
    years = [year for year in range(first.year, last.year + 1) if not _package_covers(year)]
    if not years:
        return []
    entered = set(CalendarYear.objects.filter(year__in=years).values_list("year", flat=True))
    return [year for year in years if year not in entered]


def warnings_for(*days: dt.date) -> list[str]:
    """One warning per distinct year among ``days`` that is not covered, in year order."""
    years = sorted({day.year for day in days})
    unknown_to_package = [year for year in years if not _package_covers(year)]
    if not unknown_to_package:
        return []
    entered = set(CalendarYear.objects.filter(year__in=unknown_to_package).values_list("year", flat=True))
    return [_message(year) for year in unknown_to_package if year not in entered]
