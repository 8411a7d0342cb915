from celery import shared_task

from services.core.sweeps import recorded
from services.visits.reminders import send_coverage_reminders


@shared_task(name="visits.send_coverage_reminders")
def send_coverage_reminders_task() -> int:
    """Hourly; the action decides whether today is in the quarter's last two weeks and within working hours."""
    with recorded("visits.send_coverage_reminders") as run:
        sent = send_coverage_reminders()
        run.found = run.processed = sent.specialists
    return sent.specialists
