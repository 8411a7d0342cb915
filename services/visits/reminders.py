"""The quarter-end reminder: enterprises a specialist has not yet visited on site this quarter.

Two weeks before a quarter ends — counted in working days, so the Spring Festival or National Day do not eat
into it — each specialist who still has enterprises to visit gets one message listing them, in working hours
on a working day. The ``CoverageReminder`` row is unique per specialist and quarter: a sweep that runs every
hour, twice at once, or again after a crash sends nobody a second reminder. A sweep that missed the first
day of the window (a worker down) still sends on a later working day of it.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _

from services.accounts.models import Role, User
from services.core import clock
from services.enterprises.models import SpecialistAssignment
from services.issues.models import IssuePolicy
from services.notifications.actions import notify
from services.visits.coverage import Period, on_site_visits, quarter_of
from services.visits.models import CoverageReminder
from services.workcalendar.calendar import SHANGHAI, is_working_day, working_days_between

ONE_DAY = dt.timedelta(days=1)
NOTIFICATION_KIND = "coverage_reminder"


def reminder_working_days() -> int:
    """How many working days before the quarter's end the reminder goes out (default 10: two weeks)."""
    return int(getattr(settings, "JIANGJIN_COVERAGE_REMINDER_WORKING_DAYS", 10))


def working_days_left(day: dt.date, period: Period) -> int:
    """Working days from ``day`` through the quarter's last day, both included."""
    return working_days_between(day - ONE_DAY, period.last_day)


def reminder_due(moment: dt.datetime) -> Period | None:
    """The quarter whose reminder may go out at ``moment``, or None (too early, a holiday, after hours)."""
    local = moment.astimezone(SHANGHAI)
    day = local.date()
    if not is_working_day(day):
        return None
    policy = IssuePolicy.current()
    if not policy.working_hours_start <= local.time() < policy.working_hours_end:
        return None
    period = quarter_of(day)
    if working_days_left(day, period) > reminder_working_days():
        return None
    return period


@dataclass(frozen=True)
class Reminded:
    specialists: int
    enterprises: int


def send_coverage_reminders(*, now: dt.datetime | None = None) -> Reminded:
    """Remind each specialist, once this quarter, of the enterprises they serve not yet visited on site."""
    moment = now or clock.now()
    period = reminder_due(moment)
    if period is None:
        return Reminded(0, 0)
    year, quarter = period.start.year, period.quarter_number
    already = CoverageReminder.objects.filter(
        specialist_id=OuterRef("specialist_id"), year=year, quarter=quarter
    )
    visited = on_site_visits(period).filter(enterprise_id=OuterRef("enterprise_id"))
    rows = (
        SpecialistAssignment.objects.filter(
            ended_on__isnull=True,
            specialist__role=Role.SPECIALIST,
            specialist__is_active=True,
            enterprise__is_active=True,
        )
        .exclude(Exists(visited))
        .exclude(Exists(already))
        .order_by("specialist_id", "enterprise__name", "enterprise_id")
        .values_list("specialist_id", "enterprise__name")
    )
    left: dict[int, list[str]] = defaultdict(list)
    for specialist_id, name in rows:
        left[specialist_id].append(name)
    people = User.objects.in_bulk(list(left))
    sent = Reminded(0, 0)
    for specialist_id, names in left.items():
        if _remind(people[specialist_id], period, names, moment):
            sent = Reminded(sent.specialists + 1, sent.enterprises + len(names))
    return sent


def _remind(specialist: User, period: Period, names: list[str], moment: dt.datetime) -> bool:
    year, quarter = period.start.year, period.quarter_number
    try:
        with transaction.atomic():
            CoverageReminder.objects.create(
                specialist=specialist, year=year, quarter=quarter, enterprises=len(names), sent_at=moment
            )
            with translation.override(specialist.language or settings.LANGUAGE_CODE):
                title = _("本季度还有%(count)d家包联企业未实地走访") % {"count": len(names)}
                body = _("%(year)s年第%(quarter)s季度将于%(last_day)s结束，以下企业本季度尚未实地走访：") % {
                    "year": year,
                    "quarter": quarter,
                    "last_day": formats.date_format(period.last_day, "SHORT_DATE_FORMAT"),
                }
                body += "\n" + "\n".join(f"· {name}" for name in names)
            notify(
                recipient=specialist,
                source_key=f"visits.coverage:{year}Q{quarter}",
                kind=NOTIFICATION_KIND,
                title=title,
                body=body,
                url=reverse("web:specialist-coverage"),
            )
    except IntegrityError:  # reminded already, by this sweep's twin
        return False
    return True
