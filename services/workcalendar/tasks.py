from celery import shared_task
from django.utils import timezone

from services.core.sweeps import recorded
from services.workcalendar.actions import remind_to_enter_next_year


@shared_task(name="workcalendar.remind_to_enter_next_year")
def remind_to_enter_next_year_task() -> int:
    """Daily; in December, administrators are asked (once) to enter next year's holidays if nobody has."""
    with recorded("workcalendar.remind_to_enter_next_year") as run:
        run.processed = remind_to_enter_next_year(today=timezone.localdate())
        run.found = run.processed
    return run.processed
