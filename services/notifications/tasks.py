from celery import shared_task
from django.utils import timezone

from services.core import clock
from services.core.sweeps import recorded
from services.notifications.actions import attempt_delivery, due_delivery_ids, send_digests
from services.workcalendar.calendar import is_working_day


@shared_task(name="notifications.send_deliveries")
def send_deliveries_task(*, delivery_ids: list[int]) -> int:
    return sum(attempt_delivery(delivery_id) for delivery_id in delivery_ids)


@shared_task(name="notifications.send_due_deliveries")
def send_due_deliveries_task() -> int:
    """Retries and anything queued while the broker was away."""
    with recorded("notifications.send_due_deliveries") as run:
        ids = due_delivery_ids()
        run.found = len(ids)
        run.processed = sum(attempt_delivery(delivery_id) for delivery_id in ids)
    return run.processed


@shared_task(name="notifications.send_digests")
def send_digests_task() -> int:
    """Each working morning; on holidays the messages wait for the next working day's digest."""
    if not is_working_day(timezone.localdate(clock.now())):
        return 0
    with recorded("notifications.send_digests") as run:
        run.processed = run.found = send_digests()
    return run.processed
