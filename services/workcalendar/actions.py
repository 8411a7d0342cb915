"""Administrators' edits of the working-day calendar: holiday and make-up-day overrides, entered years.

Each edit takes effect at once for every process (``calendar`` caches nothing across calls). Running
deadlines the edit moves are moved in the same transaction by the apps that keep them (the issues app
registers with ``on_calendar_change``; this app cannot import it, imports flow the other way), each by an
event of its own, never silently. Each edit leaves the same history row the Django admin writes for its own
edits (``LogEntry``), so the admin's history shows both.
"""

import datetime as dt
from collections.abc import Callable

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _

from services.accounts import roles
from services.accounts.models import Role, User
from services.core.errors import InvalidInput, NotPermitted
from services.core.text import clean_text
from services.workcalendar.models import CalendarOverride, CalendarYear, DayKind

NAME_MAX = 50
NOTICE_MAX = 200
NOTE_MAX = 2000
FIRST_YEAR, LAST_YEAR = 1, 9999


# ``listener(first=date, last=date, reason=str, actor=User)``, called inside the edit's transaction.
_LISTENERS: list[Callable[..., object]] = []


def on_calendar_change(listener: Callable[..., object]) -> Callable[..., object]:
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)
    return listener


def _changed_days(actor: User, first: dt.date, last: dt.date, reason: str) -> None:
    for listener in _LISTENERS:
        listener(first=first, last=last, reason=reason, actor=actor)


def _reason(day: dt.date, kind: str, name: str) -> str:
    what = _("调休上班") if kind == DayKind.WORKDAY else (name or _("休息日"))
    return _("管理员将%(date)s设为%(what)s，时限按新安排重新计算。") % {"date": day.isoformat(), "what": what}


def may_edit_calendar(actor: User) -> bool:
    return roles.is_administrator(actor)


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
    _changed_days(actor, date, date, _reason(date, override.kind, override.name))
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
    old_date = override.date
    for field in changed:
        setattr(override, field, new[field])
    _save_override(override, fields=changed)
    _log(actor, override, CHANGE, _changed(CalendarOverride, changed))
    if {"date", "kind"} & set(changed):
        reason = _reason(override.date, override.kind, override.name)
        _changed_days(actor, min(old_date, override.date), max(old_date, override.date), reason)
    return override


@transaction.atomic
def remove_override(*, actor: User, override: CalendarOverride) -> None:
    ensure_may_edit_calendar(actor)
    _log(actor, override, DELETION, [{"deleted": {}}])
    day = override.date
    override.delete()
    reason = _("管理员删除了%(date)s的节假日或调休安排，时限按新安排重新计算。") % {"date": day.isoformat()}
    _changed_days(actor, day, day, reason)


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
    _changed_days(
        actor,
        dt.date(year, 1, 1),
        dt.date(year, 12, 31),
        _("管理员录入了%(year)d年的节假日安排，时限按新安排重新计算。") % {"year": year},
    )
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
    year = calendar_year.year
    calendar_year.delete()
    _changed_days(
        actor,
        dt.date(year, 1, 1),
        dt.date(year, 12, 31),
        _("管理员撤销了%(year)d年的节假日录入，该年按周一至周五推算。") % {"year": year},
    )


# ---------------------------------------------------------------- the yearly reminder


def remind_to_enter_next_year(*, today: dt.date) -> int:
    """In December, ask every administrator to enter next year's holidays if nobody has (DESIGN §3).

    Once per administrator and year, however often it runs (the inbox message is unique per source).
    Returns how many administrators were newly told.
    """
    from django.urls import reverse

    from services.notifications.actions import notify
    from services.workcalendar.calendar import is_year_covered

    year = today.year + 1
    if today.month != 12 or is_year_covered(year):
        return 0
    told = 0
    admins = User.objects.filter(Q(role=Role.ADMIN) | Q(is_superuser=True), is_active=True)
    for admin in admins:
        with translation.override(admin.language):
            title = _("请录入%(year)d年的法定节假日安排") % {"year": year}
            body = _(
                "%(year)d年的节假日和调休安排尚未录入，跨入该年的办理时限暂按周一至周五推算。"
                "国务院办公厅通知发布后，请在“工作日历”中录入并标记该年已录入。"
            ) % {"year": year}
        created = notify(
            recipient=admin,
            source_key=f"calendar-year:{year}",
            kind="calendar_uncovered",
            title=title,
            body=body,
            url=reverse("admin:workcalendar_calendaryear_add"),
        )
        told += created is not None
    return told
