"""Administrators' edits of the working-day calendar: holiday and make-up-day overrides, entered years.

Each edit takes effect at once for every process (``calendar`` caches nothing across calls) and counts for
clocks started afterwards; a running clock is never rewritten. Each leaves the same history row the Django
admin writes for its own edits (``LogEntry``), so the admin's history shows both.
"""

import datetime as dt

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from services.accounts.models import Role, User
from services.core.errors import InvalidInput, NotPermitted
from services.core.text import clean_text
from services.workcalendar.models import CalendarOverride, CalendarYear, DayKind

NAME_MAX = 50
NOTICE_MAX = 200
NOTE_MAX = 2000
FIRST_YEAR, LAST_YEAR = 1, 9999


def may_edit_calendar(actor: User) -> bool:
    return bool(actor.is_active and (actor.role == Role.ADMIN or actor.is_superuser))


def ensure_may_edit_calendar(actor: User) -> None:
    if not may_edit_calendar(actor):
        raise NotPermitted(_("只有系统管理员可以维护工作日历。"))


def _log(actor: User, obj, flag: int, message: list[dict]) -> None:
    LogEntry.objects.log_actions(actor.pk, [obj], flag, change_message=message)


def _changed(model, fields: list[str]) -> list[dict]:
    # Stored as the admin stores it: field names untranslated, shown in the reader's language.
    with translation.override(None):
        return [{"changed": {"fields": [str(model._meta.get_field(field).verbose_name) for field in fields]}}]


def _kind(kind: str) -> str:
    if kind not in DayKind.values:
        raise InvalidInput({"kind": [_("请选择“休息日”或“调休上班”。")]})
    return kind


def _override_texts(*, name: str, note: str) -> dict[str, str]:
    return {
        "name": clean_text(name, field="name", label=_("名称"), max_length=NAME_MAX, required=False),
        "note": clean_text(note, field="note", label=_("备注"), max_length=NOTE_MAX, required=False),
    }


def _date_taken(day: dt.date) -> InvalidInput:
    return InvalidInput(
        {"date": [_("%(date)s已有节假日或调休安排，请修改原记录。") % {"date": day.isoformat()}]}
    )


def _save_override(override: CalendarOverride, *, fields: list[str] | None = None) -> None:
    try:
        with transaction.atomic():
            override.save(update_fields=fields)
    except IntegrityError:
        # Another administrator entered the same date a moment ago.
        raise _date_taken(override.date) from None


@transaction.atomic
def set_override(
    *, actor: User, date: dt.date, kind: str, name: str = "", note: str = ""
) -> CalendarOverride:
    """Declare ``date`` a holiday or a make-up working day; it takes precedence over the State Council's."""
    ensure_may_edit_calendar(actor)
    override = CalendarOverride(date=date, kind=_kind(kind), **_override_texts(name=name, note=note))
    if CalendarOverride.objects.filter(date=date).exists():
        raise _date_taken(date)
    _save_override(override)
    _log(actor, override, ADDITION, [{"added": {}}])
    return override


OVERRIDE_FIELDS = ("date", "kind", "name", "note")


@transaction.atomic
def change_override(*, actor: User, override: CalendarOverride, **changes) -> CalendarOverride:
    """Change some of an override's date, kind, name and note."""
    ensure_may_edit_calendar(actor)
    unknown = set(changes) - set(OVERRIDE_FIELDS)
    if unknown:
        raise TypeError(f"unknown override fields: {sorted(unknown)}")
    override = CalendarOverride.objects.select_for_update().get(pk=override.pk)
    if "kind" in changes:
        _kind(changes["kind"])
    texts = _override_texts(name=changes.get("name", override.name), note=changes.get("note", override.note))
    new = {**changes, **{field: texts[field] for field in texts if field in changes}}
    changed = [field for field, value in new.items() if getattr(override, field) != value]
    if not changed:
        return override
    if (
        "date" in changed
        and CalendarOverride.objects.filter(date=new["date"]).exclude(pk=override.pk).exists()
    ):
        raise _date_taken(new["date"])
    for field in changed:
        setattr(override, field, new[field])
    _save_override(override, fields=changed)
    _log(actor, override, CHANGE, _changed(CalendarOverride, changed))
    return override


@transaction.atomic
def remove_override(*, actor: User, override: CalendarOverride) -> None:
    ensure_may_edit_calendar(actor)
    _log(actor, override, DELETION, [{"deleted": {}}])
    override.delete()


def _year_texts(*, notice: str, note: str) -> dict[str, str]:
    return {
        "notice": clean_text(notice, field="notice", label=_("通知"), max_length=NOTICE_MAX, required=False),
        "note": clean_text(note, field="note", label=_("备注"), max_length=NOTE_MAX, required=False),
    }


@transaction.atomic
def record_year(*, actor: User, year: int, notice: str = "", note: str = "") -> CalendarYear:
    """Say that ``year``'s whole holiday notice has been entered, so the year no longer warns."""
    ensure_may_edit_calendar(actor)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise InvalidInput(
            {"year": [_("年份须在%(first)d至%(last)d之间。") % {"first": FIRST_YEAR, "last": LAST_YEAR}]}
        )
    taken = InvalidInput({"year": [_("%(year)d年已录入，请修改原记录。") % {"year": year}]})
    if CalendarYear.objects.filter(year=year).exists():
        raise taken
    entered = CalendarYear(year=year, **_year_texts(notice=notice, note=note))
    try:
        with transaction.atomic():
            entered.save()
    except IntegrityError:
        raise taken from None
    _log(actor, entered, ADDITION, [{"added": {}}])
    return entered


@transaction.atomic
def change_year(
    *, actor: User, calendar_year: CalendarYear, notice: str | None = None, note: str | None = None
) -> CalendarYear:
    """Change the notice or note of an entered year (the year itself stays: remove and enter another)."""
    ensure_may_edit_calendar(actor)
    calendar_year = CalendarYear.objects.select_for_update().get(pk=calendar_year.pk)
    texts = _year_texts(
        notice=calendar_year.notice if notice is None else notice,
        note=calendar_year.note if note is None else note,
    )
    changed = [field for field, value in texts.items() if getattr(calendar_year, field) != value]
    if not changed:
        return calendar_year
    for field in changed:
        setattr(calendar_year, field, texts[field])
    calendar_year.save(update_fields=changed)
    _log(actor, calendar_year, CHANGE, _changed(CalendarYear, changed))
    return calendar_year


@transaction.atomic
def remove_year(*, actor: User, calendar_year: CalendarYear) -> None:
    """The year is no longer covered by an administrator (its overrides stay)."""
    ensure_may_edit_calendar(actor)
    _log(actor, calendar_year, DELETION, [{"deleted": {}}])
    calendar_year.delete()
