import datetime as dt

from celery import shared_task

from services.core.sweeps import recorded
from services.issues.notify import deliver_event, deliver_events, pending_event_ids
from services.issues.tracking import sweep_clocks


def _moment(value: str | None) -> dt.datetime | None:
    """An ISO 8601 moment passed by name through the broker ("2026-03-03T17:00:00+08:00"); None for now."""
    if value is None:
        return None
    moment = dt.datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError(f"a sweep's moment needs a UTC offset: {value!r}")
    return moment


@shared_task(name="issues.notify_event", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notify_event_task(*, event_id: int) -> int:
    return deliver_event(event_id)


@shared_task(name="issues.notify_events", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notify_events_task(*, event_ids: list[int]) -> int:
    return deliver_events(event_ids)


@shared_task(name="issues.notify_pending_events")
def notify_pending_events_task(*, now: str | None = None, older_than_seconds: int = 60) -> int:
    """The outbox sweep: what could not be queued when it happened goes out now.

    ``now`` (ISO 8601) replaces the worker's clock when choosing which events count as old enough.
    """
    with recorded("issues.notify_pending_events") as run:
        ids = pending_event_ids(now=_moment(now), older_than_seconds=older_than_seconds)
        run.found = len(ids)
        run.processed = deliver_events(ids)
    return run.processed


@shared_task(name="issues.sweep_clocks")
def sweep_clocks_task(*, now: str | None = None) -> int:
    """Reminders, escalations (督办) and auto-closes that are due now, or at ``now`` (ISO 8601) if given."""
    with recorded("issues.sweep_clocks") as run:
        result = sweep_clocks(now=_moment(now))
        run.found = result.clocks
        run.processed = result.total
    return run.processed
