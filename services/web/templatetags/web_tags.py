"""Small helpers for the server-rendered pages: the header's inbox count, clock verdicts, percentages."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django import template
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from services.accounts.models import User
from services.issues.models import Stage, StageClock
from services.notifications.selectors import unread_count
from services.web.access import runs_operations as _runs_operations
from services.web.access import sees_district_figures as _sees_district_figures

register = template.Library()


@register.simple_tag
def unread_notifications(user: User) -> int:
    """How many of the user's messages are unread (0 for an anonymous visitor)."""
    return unread_count(user) if user.is_authenticated else 0


@register.filter
def sees_district_figures(user: User) -> bool:
    return _sees_district_figures(user)


@register.filter
def runs_operations(user: User) -> bool:
    return _runs_operations(user)


@dataclass(frozen=True)
class Verdict:
    key: str  # on_time, late, overdue, running, stopped: also the CSS modifier
    label: str


VERDICTS = {
    "on_time": _("按时"),
    "late": _("超期"),
    "overdue": _("已超期"),
    "running": _("进行中"),
    "stopped": _("已中止"),
}


@register.simple_tag
def clock_verdict(clock: StageClock, now: datetime) -> Verdict:
    """按时 / 超期 for a finished clock, 已超期 / 进行中 for a running one, 已中止 for one stopped in time."""
    if clock.met_at is not None:
        key = "on_time" if clock.met_on_time else "late"
    elif clock.is_breached(now):
        key = "overdue" if clock.is_running else "late"
    else:
        key = "running" if clock.is_running else "stopped"
    return Verdict(key=key, label=str(VERDICTS[key]))


@register.filter
def percent(rate: float | None) -> str:
    """0.955 → "95.5%"; no rate (nothing in scope) → "—"."""
    return "—" if rate is None else f"{rate * 100:.1f}%"


@register.simple_tag
def ratio(part: int, whole: int) -> str:
    """``part`` ÷ ``whole`` as a percentage, "—" when ``whole`` is 0."""
    return percent(part / whole if whole else None)


DUE_LABELS = {
    "overdue": _("已超期"),
    "today": _("今日到期"),
    "soon": _("即将到期"),
    "later": "",
}


@register.simple_tag
def due_state(due_at: datetime | None, now: datetime) -> Verdict:
    """A due time in words as well as colour: 已超期, 今日到期 (by the end of today), 即将到期 (within 24 h)."""
    if due_at is None:
        return Verdict(key="later", label="")
    if due_at < now:
        key = "overdue"
    elif timezone.localtime(due_at).date() == timezone.localtime(now).date():
        key = "today"
    elif due_at - now <= timedelta(hours=24):
        key = "soon"
    else:
        key = "later"
    return Verdict(key=key, label=str(DUE_LABELS[key]))


@register.filter
def stage_label(value: str) -> str:
    """The stage's name (签收, 答复…) for its stored key."""
    try:
        return str(Stage(value).label)
    except ValueError:
        return value
