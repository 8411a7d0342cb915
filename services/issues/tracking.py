"""Closure tracking: reminders before a due time, supervision (督办) after it, auto-close after the rating
window. DESIGN §4.

The database is the source of truth. Each running clock carries ``next_alert_at``, the moment its next
reminder, escalation or auto-close falls due; the sweep reads only clocks whose moment has come, through a
partial index, so its work grows with what is due, not with what is open. Each alert is a ``ClockAlert``
row, unique per clock, kind and due time: a sweep that runs twice, overlaps itself or dies half-way can
neither send an alert twice nor lose one (the clock keeps its ``next_alert_at`` until the alert is written).
"""

import datetime as dt
import logging
from collections import defaultdict
from contextlib import suppress
from dataclasses import dataclass, field
from functools import partial

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from services.core import clock
from services.core.errors import InvalidTransition
from services.issues.models import (
    AlertKind,
    ClockAlert,
    EventOutbox,
    ExtensionRequest,
    ExtensionStatus,
    Issue,
    IssueEvent,
    IssuePolicy,
    Stage,
    StageClock,
)
from services.workcalendar import calendar

logger = logging.getLogger(__name__)

RUNNING = Q(met_at__isnull=True, stopped_at__isnull=True)
BATCH = 500


class WorkingDays:
    """The working-day questions a schedule asks, each date asked of the calendar once.

    The clocks of one sweep batch share a few dates (most fall due at 23:59:59 on the same days), so a batch
    keeps one of these and its calendar queries grow with the distinct dates, not with the clocks. It lives
    no longer than a batch: an administrator's calendar edit counts from the next one.
    """

    def __init__(self) -> None:
        self._working: dict[dt.date, bool] = {}
        self._after: dict[tuple[dt.date, int], dt.date] = {}
        self._due: dict[tuple[dt.date, int], dt.datetime] = {}

    def is_working_day(self, day: dt.date) -> bool:
        if day not in self._working:
            self._working[day] = calendar.is_working_day(day)
        return self._working[day]

    def add_working_days(self, day: dt.date, n: int) -> dt.date:
        if (day, n) not in self._after:
            self._after[day, n] = calendar.add_working_days(day, n)
        return self._after[day, n]

    def due_at(self, start: dt.datetime, working_days: int) -> dt.datetime:
        # A due time counted in working days depends only on the start's date in Shanghai.
        key = (start.astimezone(calendar.SHANGHAI).date(), working_days)
        if key not in self._due:
            self._due[key] = calendar.due_at(start, working_days)
        return self._due[key]


def within_working_hours(
    moment: dt.datetime, policy: IssuePolicy, days: WorkingDays | None = None
) -> dt.datetime:
    """The moment itself during working hours; otherwise the start of the next working period."""
    days = days or WorkingDays()
    local = timezone.localtime(moment)
    day = local.date()
    zone = local.tzinfo
    if days.is_working_day(day):
        if local.time() < policy.working_hours_start:
            return dt.datetime.combine(day, policy.working_hours_start, zone)
        if local.time() < policy.working_hours_end:
            return moment
    return dt.datetime.combine(days.add_working_days(day, 1), policy.working_hours_start, zone)


def alert_schedule(
    stage_clock: StageClock, policy: IssuePolicy, days: WorkingDays | None = None
) -> list[tuple[str, dt.datetime]]:
    """Every alert the clock will raise for its current due time, in order."""
    days = days or WorkingDays()
    due = stage_clock.due_at
    if stage_clock.stage == Stage.RATING:
        # The enterprise's rating window: when it passes the issue closes as unrated.
        return [(AlertKind.AUTO_CLOSE, due)]
    schedule: list[tuple[str, dt.datetime]] = []
    span = due - stage_clock.started_at
    remind = stage_clock.started_at + span * float(policy.reminder_fraction)
    # Hour-counted (urgent) clocks remind on the clock: an urgent problem does not wait for the morning.
    if not stage_clock.counts_hours:
        remind = within_working_hours(remind, policy, days)
    if remind < due:
        schedule.append((AlertKind.REMIND, remind))
    if policy.remind_on_last_day and not stage_clock.counts_hours:
        due_day = timezone.localtime(due).date()
        last_day = dt.datetime.combine(due_day, policy.working_hours_start, timezone.localtime(due).tzinfo)
        if days.is_working_day(due_day) and stage_clock.started_at < last_day < due and last_day != remind:
            schedule.append((AlertKind.REMIND_LAST_DAY, last_day))
    schedule.append((AlertKind.ESCALATE, due))
    schedule.append((AlertKind.ESCALATE_SECOND, days.due_at(due, policy.second_escalation_days)))
    return sorted(schedule, key=lambda item: item[1])


# A due time is kept until its last second has passed: these are raised only after their moment, never at it.
AFTER_THE_MOMENT = frozenset({AlertKind.ESCALATE, AlertKind.ESCALATE_SECOND, AlertKind.AUTO_CLOSE})


def is_due(kind: str, at: dt.datetime, now: dt.datetime) -> bool:
    """A reminder is due from its moment on; an escalation or auto-close once its due time has passed."""
    return at < now if kind in AFTER_THE_MOMENT else at <= now


def next_alert_at(
    stage_clock: StageClock,
    policy: IssuePolicy,
    done: set[str] = frozenset(),
    schedule: list[tuple[str, dt.datetime]] | None = None,
) -> dt.datetime | None:
    if schedule is None:
        schedule = alert_schedule(stage_clock, policy)
    pending = [at for kind, at in schedule if kind not in done]
    return pending[0] if pending else None


@dataclass
class SweepResult:
    clocks: int = 0
    alerts: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str) -> None:
        self.alerts[kind] = self.alerts.get(kind, 0) + 1

    @property
    def total(self) -> int:
        return sum(self.alerts.values())


def _event_for(alert: ClockAlert, stage_clock: StageClock, at: dt.datetime) -> IssueEvent:
    level = {AlertKind.ESCALATE: 1, AlertKind.ESCALATE_SECOND: 2}.get(alert.kind)
    return IssueEvent(
        issue_id=stage_clock.issue_id,
        kind="escalate" if level else "remind",
        actor=None,
        from_status=stage_clock.issue.status,
        to_status=stage_clock.issue.status,
        data={
            "clock": stage_clock.pk,
            "stage": stage_clock.stage,
            "unit_id": stage_clock.unit_id,
            "due_at": timezone.localtime(stage_clock.due_at).isoformat(),
            "alert": alert.kind,
            "level": level,
            "urgent": stage_clock.counts_hours,
        },
        created_at=at,
    )


def _queue_notifications(event_ids: list[int]) -> None:
    from services.issues.tasks import notify_events_task

    try:
        notify_events_task.delay(event_ids=event_ids)
    except Exception:  # the broker being down must not undo the sweep: the outbox sweep delivers them
        logger.warning("could not queue notifications for %d alert events", len(event_ids), exc_info=True)


def _sweep_batch(now: dt.datetime, policy: IssuePolicy, result: SweepResult) -> int:
    with transaction.atomic():
        # SKIP LOCKED: a second sweep running at the same time takes other clocks instead of waiting. The
        # problem is locked with its clocks, in the same statement: actions lock the problem first and its
        # clocks second, so a sweep that held clocks and then waited for their problem (to mark it escalated
        # or close it) could deadlock with a unit acting on it. A problem in someone's hands waits a round.
        clocks = list(
            StageClock.objects.select_for_update(skip_locked=True, of=("self", "issue"))
            .filter(RUNNING, next_alert_at__lte=now)
            .select_related("issue")
            .order_by("next_alert_at")[:BATCH]
        )
        if not clocks:
            return 0
        by_pk = {stage_clock.pk: stage_clock for stage_clock in clocks}
        done: dict[int, set[str]] = {}
        for clock_id, kind, alert_due in ClockAlert.objects.filter(clock__in=clocks).values_list(
            "clock_id", "kind", "due_at"
        ):
            # An alert for an earlier due time (before an extension) does not count for the new one.
            if by_pk[clock_id].due_at == alert_due:
                done.setdefault(clock_id, set()).add(kind)
        alerts, events, closing, escalated_issues = [], [], [], set()
        days = WorkingDays()
        for stage_clock in clocks:
            finished = done.get(stage_clock.pk, set())
            schedule = alert_schedule(stage_clock, policy, days)
            for kind, at in schedule:
                if kind in finished or not is_due(kind, at, now):
                    continue
                finished.add(kind)
                # A reminder whose moment passed while nobody swept is pointless once the clock is overdue.
                if kind in (AlertKind.REMIND, AlertKind.REMIND_LAST_DAY) and now > stage_clock.due_at:
                    continue
                alert = ClockAlert(
                    clock=stage_clock,
                    issue_id=stage_clock.issue_id,
                    unit_id=stage_clock.unit_id,
                    kind=kind,
                    due_at=stage_clock.due_at,
                    scheduled_for=at,
                    created_at=now,
                )
                alerts.append(alert)
                result.count(kind)
                if kind == AlertKind.AUTO_CLOSE:
                    closing.append(stage_clock.issue_id)
                    continue
                if kind == AlertKind.ESCALATE:
                    stage_clock.breached_at = now
                    escalated_issues.add(stage_clock.issue_id)
                events.append(_event_for(alert, stage_clock, now))
            stage_clock.next_alert_at = next_alert_at(stage_clock, policy, finished, schedule)
        ClockAlert.objects.bulk_create(alerts, ignore_conflicts=True)
        created_events = IssueEvent.objects.bulk_create(events)
        EventOutbox.for_events(created_events)
        _save_schedules(clocks)
        if escalated_issues:
            Issue.objects.filter(pk__in=escalated_issues, is_escalated=False).update(is_escalated=True)
        for issue_id in closing:
            _close_unrated(issue_id)
        event_ids = [event.pk for event in created_events]
        if event_ids:
            transaction.on_commit(partial(_queue_notifications, event_ids))
        result.clocks += len(clocks)
        return len(clocks)


def _save_schedules(clocks: list[StageClock]) -> None:
    """Write each clock's next alert moment and breach mark, one UPDATE per distinct pair of values.

    ``bulk_update`` would build a CASE branch per clock and field, quadratic in the batch (it was half of a
    sweep's time); the clocks of a batch share few pairs, since what comes next falls at 09:00 or 23:59:59
    of a due day.
    """
    groups: dict[tuple[dt.datetime | None, dt.datetime | None], list[int]] = defaultdict(list)
    for stage_clock in clocks:
        groups[stage_clock.next_alert_at, stage_clock.breached_at].append(stage_clock.pk)
    for (next_at, breached_at), ids in groups.items():
        StageClock.objects.filter(pk__in=ids).update(next_alert_at=next_at, breached_at=breached_at)


def _close_unrated(issue_id: int) -> None:
    from services.issues.actions import close_unrated_issue

    # Rated or otherwise moved on in the meantime: nothing to close.
    with suppress(InvalidTransition):
        close_unrated_issue(issue=Issue(pk=issue_id))


def sweep_clocks(*, now: dt.datetime | None = None, max_batches: int | None = None) -> SweepResult:
    """Raise every alert that is due at ``now``. Safe to run twice, concurrently, or after a crash."""
    now = now or clock.now()
    policy = IssuePolicy.current()
    result = SweepResult()
    batches = 0
    with clock.travel_to(now):
        while _sweep_batch(now, policy, result) == BATCH:
            batches += 1
            if max_batches is not None and batches >= max_batches:
                break
    return result


def schedule_clock(stage_clock: StageClock, policy: IssuePolicy | None = None) -> None:
    """Set the clock's first (or, after its due time moved, next) alert moment before it is saved."""
    policy = policy or IssuePolicy.current()
    done: set[str] = set()
    if stage_clock.pk:
        alerts = ClockAlert.objects.filter(clock_id=stage_clock.pk, due_at=stage_clock.due_at)
        done = set(alerts.values_list("kind", flat=True))
    stage_clock.next_alert_at = next_alert_at(stage_clock, policy, done)


# ---------------------------------------------------------------- calendar corrections

CALENDAR_CORRECTION = "calendar_correction"


def recount_running_clocks(*, first: dt.date, last: dt.date, reason: str, actor=None) -> int:
    """Recount the running working-day clocks an edit of the calendar from ``first`` through ``last`` may move.

    Called in the administrator's transaction. A clock whose due time changes is moved by a
    ``calendar_correction`` event that records the old and the new due time and the reason (DESIGN §3: never
    silently); one whose due time stands keeps it and only loses its "Monday–Friday" mark once the year is
    entered. Returns how many clocks moved.
    """
    from services.issues.deadlines import Limit, working_days_after

    at = clock.now()
    policy = IssuePolicy.current()
    # A day can move a clock that started before it and is due on or after it.
    started_before = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, calendar.SHANGHAI)
    due_from = dt.datetime.combine(first, dt.time.min, calendar.SHANGHAI)
    clocks = list(
        StageClock.objects.select_for_update(of=("self", "issue"))
        .select_related("issue")
        .filter(RUNNING, counts_hours=False, limit_amount__isnull=False)
        .filter(started_at__lt=started_before, due_at__gte=due_from)
        .order_by("issue_id", "pk")
    )
    extensions: dict[int, list[int]] = defaultdict(list)
    for clock_id, days in (
        ExtensionRequest.objects.filter(clock__in=clocks, status=ExtensionStatus.APPROVED)
        .order_by("decided_at", "pk")
        .values_list("clock_id", "working_days")
    ):
        extensions[clock_id].append(days)
    events, moved = [], 0
    for stage_clock in clocks:
        original = Limit(stage_clock.limit_amount, in_hours=False).deadline_from(stage_clock.started_at)
        due, fallback = original.due_at, original.fallback
        for days in extensions[stage_clock.pk]:
            extended = working_days_after(due, days)
            due, fallback = extended.due_at, fallback or extended.fallback
        if due == stage_clock.due_at:
            if fallback != stage_clock.due_from_fallback:
                StageClock.objects.filter(pk=stage_clock.pk).update(due_from_fallback=fallback)
            continue
        old_due = stage_clock.due_at
        stage_clock.due_at, stage_clock.original_due_at = due, original.due_at
        stage_clock.due_from_fallback = fallback
        if stage_clock.breached_at is not None and due >= at:
            stage_clock.breached_at = None
        schedule_clock(stage_clock, policy)
        stage_clock.save(
            update_fields=["due_at", "original_due_at", "due_from_fallback", "breached_at", "next_alert_at"]
        )
        moved += 1
        events.append(
            IssueEvent(
                issue_id=stage_clock.issue_id,
                kind=CALENDAR_CORRECTION,
                actor=actor,
                from_status=stage_clock.issue.status,
                to_status=stage_clock.issue.status,
                note=reason,
                data={
                    "clock": stage_clock.pk,
                    "stage": stage_clock.stage,
                    "unit_id": stage_clock.unit_id,
                    "limit": stage_clock.limit_amount,
                    "limit_unit": "working_days",
                    "old_due_at": timezone.localtime(old_due).isoformat(),
                    "due_at": timezone.localtime(due).isoformat(),
                    "original_due_at": timezone.localtime(original.due_at).isoformat(),
                    "fallback": fallback,
                },
                created_at=at,
            )
        )
    created = IssueEvent.objects.bulk_create(events)
    EventOutbox.for_events(created)
    if created:
        transaction.on_commit(partial(_queue_notifications, [event.pk for event in created]))
    return moved
