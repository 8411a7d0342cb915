from celery import shared_task

from services.core.sweeps import recorded
from services.reports.actions import freeze_due_periods


@shared_task(name="reports.freeze_due_periods")
def freeze_due_periods_task() -> int:
    """Daily: freeze every month, quarter and year that ended the configured working days ago."""
    with recorded("reports.freeze_due_periods") as run:
        closed = freeze_due_periods()
        run.found = run.processed = len(closed)
    return run.processed
