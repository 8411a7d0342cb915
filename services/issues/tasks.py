from celery import shared_task

from services.issues.notify import deliver_event, pending_event_ids


@shared_task(name="issues.notify_event", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notify_event_task(*, event_id: int) -> int:
    return deliver_event(event_id)


@shared_task(name="issues.notify_pending_events")
def notify_pending_events_task() -> int:
    """The outbox sweep: what could not be queued when it happened goes out now."""
    return sum(deliver_event(event_id) for event_id in pending_event_ids())
