"""Reading what the sweeps raised, and walking a clock through time."""

import datetime as dt

from services.issues.models import ClockAlert, IssueEvent, StageClock
from services.issues.tracking import sweep_clocks


def alerts_of(stage_clock: StageClock) -> list[tuple[str, dt.datetime]]:
    """(kind, when it was due to go out) for every alert the clock raised, in order."""
    return list(
        ClockAlert.objects.filter(clock=stage_clock)
        .order_by("scheduled_for", "pk")
        .values_list("kind", "scheduled_for")
    )


def kinds_of(stage_clock: StageClock) -> list[str]:
    return [kind for kind, _at in alerts_of(stage_clock)]


def events_of(stage_clock: StageClock) -> list[IssueEvent]:
    """The reminder and supervision events the sweeps recorded for the clock."""
    events = IssueEvent.objects.filter(data__clock=stage_clock.pk, kind__in=("remind", "escalate"))
    return list(events.order_by("created_at", "pk"))


def sweep_every(step: dt.timedelta, *, start: dt.datetime, end: dt.datetime) -> None:
    """Run the sweep at ``start``, ``start + step``, … up to ``end``, as beat would."""
    moment = start
    while moment <= end:
        sweep_clocks(now=moment)
        moment += step
