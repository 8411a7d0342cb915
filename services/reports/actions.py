"""Writes of the reports app: annual targets (each change leaves a ``TargetChange`` row: who changed what,
from which value to which) and closing periods (a ``PeriodSnapshot`` that reports of the period read from
then on)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from services.accounts import roles
from services.accounts.models import User
from services.core import clock
from services.core.errors import InvalidInput, NotPermitted
from services.departments.models import Unit
from services.reports.figures import FIGURES, Kind, Period
from services.reports.models import AnnualTarget, Figure, PeriodKind, PeriodSnapshot, TargetChange
from services.reports.snapshots import freeze, month, period_kind
from services.workcalendar.calendar import add_working_days

RATE_FIGURES = frozenset(spec.key for spec in FIGURES if spec.kind == Kind.RATE)
# Figures counted in whole things (people, enterprises, visits, problems, projects): a whole-number target.
WHOLE_NUMBER_FIGURES = frozenset(
    {
        Figure.SPECIALISTS,
        Figure.ENTERPRISES_SERVED,
        Figure.VISITS,
        Figure.ISSUES_LOGGED,
        Figure.TECH_VICE_PRESIDENTS,
        Figure.INNOVATION_PROBLEMS,
        Figure.POLICY_FUND_PROJECTS,
    }
)
FIRST_YEAR, LAST_YEAR = 2000, 2100
NOTE_MAX = 200


def _ensure_administrator(actor: User) -> None:
    if not roles.is_administrator(actor):
        raise NotPermitted(_("只有系统管理员可以设定年度目标。"))


def clean_target_value(figure: str, value: object) -> Decimal:
    """The value as a Decimal, or ``InvalidInput`` naming the rule it breaks."""
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise InvalidInput({"value": [_("目标值应为数字。")]}) from None
    if not number.is_finite():
        raise InvalidInput({"value": [_("目标值应为数字。")]})
    if number < 0:
        raise InvalidInput({"value": [_("目标值不能为负数。")]})
    if number >= Decimal("1e10"):
        raise InvalidInput({"value": [_("目标值过大。")]})
    if number != number.quantize(Decimal("0.0001")):
        raise InvalidInput({"value": [_("目标值最多保留4位小数。")]})
    if figure in RATE_FIGURES and number > 1:
        raise InvalidInput({"value": [_("比率类指标的目标值应在0到1之间，例如0.95表示95%。")]})
    if figure in WHOLE_NUMBER_FIGURES and number != number.to_integral_value():
        raise InvalidInput({"value": [_("该指标按个数计，目标值应为整数。")]})
    return number


def _clean(year: int, figure: str, note: str) -> str:
    if not isinstance(year, int) or not FIRST_YEAR <= year <= LAST_YEAR:
        raise InvalidInput({"year": [_("年度应为2000至2100之间的整数。")]})
    if figure not in Figure.values:
        raise InvalidInput({"figure": [_("“%(figure)s”不是可设定目标的指标。") % {"figure": figure}]})
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise InvalidInput({"note": [_("说明不能超过200个字。")]})
    return note


@transaction.atomic
def set_target(
    *, actor: User, year: int, figure: str, unit: Unit | None, value: object, note: str = ""
) -> AnnualTarget:
    """Sets the target of ``figure`` for ``year`` (for ``unit``, or the district when None), creating it or
    changing the one there is; records who changed it, from what, to what. Unchanged input writes nothing."""
    _ensure_administrator(actor)
    note = _clean(year, figure, note)
    number = clean_target_value(figure, value)
    existing = AnnualTarget.objects.select_for_update().filter(year=year, figure=figure, unit=unit).first()
    now = clock.now()
    if existing is None:
        try:
            with transaction.atomic():
                target = AnnualTarget.objects.create(
                    year=year, figure=figure, unit=unit, value=number, note=note
                )
        except IntegrityError:  # a concurrent twin won the race at the constraint
            raise InvalidInput({"figure": [_("该年度该指标的目标已存在。")]}) from None
        TargetChange.objects.create(
            target=target,
            kind=TargetChange.Kind.CREATED,
            year=year,
            figure=figure,
            unit=unit,
            new_value=number,
            new_note=note,
            actor=actor,
            changed_at=now,
        )
        return target
    if existing.value == number and existing.note == note:
        return existing
    old_value, old_note = existing.value, existing.note
    existing.value, existing.note = number, note
    existing.save(update_fields=["value", "note"])
    TargetChange.objects.create(
        target=existing,
        kind=TargetChange.Kind.CHANGED,
        year=year,
        figure=figure,
        unit=unit,
        old_value=old_value,
        new_value=number,
        old_note=old_note,
        new_note=note,
        actor=actor,
        changed_at=now,
    )
    return existing


@transaction.atomic
def change_target(*, actor: User, target: AnnualTarget, **fields: object) -> AnnualTarget:
    """Changes any of year, figure, unit, value and note of one target (the API's PATCH), recorded."""
    _ensure_administrator(actor)
    target = AnnualTarget.objects.select_for_update().get(pk=target.pk)
    year = fields.get("year", target.year)
    figure = fields.get("figure", target.figure)
    unit = fields.get("unit", target.unit)
    note = _clean(year, figure, fields.get("note", target.note))  # type: ignore[arg-type]
    number = clean_target_value(figure, fields.get("value", target.value))  # type: ignore[arg-type]
    twin = AnnualTarget.objects.filter(year=year, figure=figure, unit=unit).exclude(pk=target.pk)
    if twin.exists():
        message = (
            _("该年度该指标的全区目标已存在。") if unit is None else _("该年度该单位该指标的目标已存在。")
        )
        raise InvalidInput({"figure": [message]})
    old_value, old_note = target.value, target.note
    target.year, target.figure, target.unit, target.value, target.note = year, figure, unit, number, note
    try:
        with transaction.atomic():
            target.save()
    except IntegrityError:
        raise InvalidInput({"figure": [_("该年度该指标的目标已存在。")]}) from None
    TargetChange.objects.create(
        target=target,
        kind=TargetChange.Kind.CHANGED,
        year=year,
        figure=figure,
        unit=unit,
        old_value=old_value,
        new_value=number,
        old_note=old_note,
        new_note=note,
        actor=actor,
        changed_at=clock.now(),
    )
    return target


@transaction.atomic
def delete_target(*, actor: User, target: AnnualTarget) -> None:
    _ensure_administrator(actor)
    target = AnnualTarget.objects.select_for_update().get(pk=target.pk)
    TargetChange.objects.create(
        target=None,
        kind=TargetChange.Kind.DELETED,
        year=target.year,
        figure=target.figure,
        unit=target.unit,
        old_value=target.value,
        old_note=target.note,
        actor=actor,
        changed_at=clock.now(),
    )
    target.delete()


# ---------------------------------------------------------------- closing periods


def freeze_after_working_days() -> int:
    return int(getattr(settings, "JIANGJIN_REPORT_FREEZE_WORKING_DAYS", 5))


def _close(period: Period, *, actor: User | None, reason: str, now: dt.datetime) -> PeriodSnapshot:
    kind = period_kind(period)
    assert kind is not None
    snapshot = PeriodSnapshot(
        kind=kind,
        start=period.start,
        end=period.end,
        data=freeze(period),
        closed_at=now,
        closed_by=actor,
        reason=reason,
    )
    snapshot.save()
    return snapshot


@transaction.atomic
def close_period(*, actor: User, period: Period, reason: str = "") -> PeriodSnapshot:
    """An administrator closes a finished month, quarter or year by hand: its figures are frozen now."""
    if not roles.is_administrator(actor):
        raise NotPermitted(_("只有系统管理员可以关账。"))
    if period_kind(period) is None:
        raise InvalidInput({"period": [_("只能关账整月、整季度或整年。")]})
    now = clock.now()
    if timezone.localdate(now) < period.end:
        raise InvalidInput({"period": [_("统计期尚未结束，不能关账。")]})
    reason = (reason or "").strip()[:200]
    # Serialise concurrent closings of the same period on the unique constraint.
    if PeriodSnapshot.objects.filter(kind=period_kind(period), start=period.start).exists():
        raise InvalidInput({"period": [_("该统计期已关账。")]})
    try:
        with transaction.atomic():
            return _close(period, actor=actor, reason=reason or _("管理员手动关账"), now=now)
    except IntegrityError:
        raise InvalidInput({"period": [_("该统计期已关账。")]}) from None


def periods_ending_between(first: dt.date, last: dt.date) -> list[Period]:
    """Every calendar month, quarter and year whose last day falls in ``[first, last]``."""
    periods: list[Period] = []
    year, number = first.year, first.month
    while dt.date(year, number, 1) <= last:
        candidate = month(year, number)
        for period in (candidate, _quarter_ending(candidate), _year_ending(candidate)):
            if period is not None and first <= period.last_day <= last:
                periods.append(period)
        year, number = (year + 1, 1) if number == 12 else (year, number + 1)
    return periods


def _quarter_ending(one_month: Period) -> Period | None:
    if one_month.start.month % 3:
        return None
    return Period.quarter(one_month.start.year, one_month.start.month // 3)


def _year_ending(one_month: Period) -> Period | None:
    return Period.year(one_month.start.year) if one_month.start.month == 12 else None


def _first_day_with_data(today: dt.date) -> dt.date:
    """The local day of the earliest issue or visit (two index reads); today when there is none."""
    from django.db.models import Min

    from services.issues.models import Issue
    from services.visits.models import Visit

    moments = [
        Issue.objects.aggregate(first=Min("created_at"))["first"],
        Visit.objects.aggregate(first=Min("visited_at"))["first"],
    ]
    days = [timezone.localdate(moment) for moment in moments if moment is not None]
    return min(days, default=today)


def freeze_due_periods(*, now: dt.datetime | None = None) -> list[PeriodSnapshot]:
    """Closes every month, quarter and year that ended at least N working days ago (N =
    ``JIANGJIN_REPORT_FREEZE_WORKING_DAYS``) and is not closed yet. Idempotent: safe to run twice or
    concurrently (the unique constraint keeps one snapshot per period)."""
    now = now or clock.now()
    today = timezone.localdate(now)
    waiting = freeze_after_working_days()
    first = _first_day_with_data(today)
    closed = []
    for period in periods_ending_between(first, today - dt.timedelta(days=1)):
        # The period ends the day after its last day; it freezes N working days after that.
        if add_working_days(period.last_day, waiting) > today:
            continue
        kind = period_kind(period)
        if PeriodSnapshot.objects.filter(kind=kind, start=period.start).exists():
            continue
        try:
            with transaction.atomic():
                closed.append(_close(period, actor=None, reason=_("统计期结束后自动关账"), now=now))
        except IntegrityError:
            continue  # another worker closed it meanwhile
    return closed


__all__ = [
    "PeriodKind",
    "change_target",
    "clean_target_value",
    "close_period",
    "delete_target",
    "freeze_due_periods",
    "set_target",
]
