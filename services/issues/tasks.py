from celery import shared_task

from services.core.sweeps import recorded
from services.issues.notify import deliver_event, pending_event_ids
from services.issues.tracking import sweep_clocks


@shared_task(name="issues.notify_event", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notify_event_task(*, event_id: int) -> int:
    return deliver_event(event_id)


@shared_task(name="issues.notify_events", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notify_events_task(*, event_ids: list[int]) -> int:
    return sum(deliver_event(event_id) for event_id in event_ids)


@shared_task(name="issues.notify_pending_events")
def notify_pending_events_task() -> int:
    """The outbox sweep: what could not be queued when it happened goes out now."""
    with recorded("issues.notify_pending_events") as run:
        ids = pending_event_ids()
        run.found = len(ids)
        run.processed = sum(deliver_event(event_id) for event_id in ids)
    return run.processed


@shared_task(name="issues.sweep_clocks")
def sweep_clocks_task() -> int:
    """Reminders, escalations (督办) and auto-closes that are due now."""
    with recorded("issues.sweep_clocks") as run:
        result = sweep_clocks()
        run.found = result.clocks
        run.processed = result.total
    return run.processed
