from celery import shared_task

from services.core.sweeps import recorded
from services.reports.actions import freeze_due_periods


@shared_task(name="reports.freeze_due_periods")
def freeze_due_periods_task() -> int:
    """Daily: freeze every month, quarter and year that ended the configured working days ago, and delete
    the expired export files."""
    from services.reports.exports import delete_expired_exports

    with recorded("reports.freeze_due_periods") as run:
        closed = freeze_due_periods()
        run.found = run.processed = len(closed)
    delete_expired_exports()
    return run.processed


@shared_task(name="reports.export")
def export_task(*, job_id: int) -> int:
    """A large drill-down export: rebuild the list from the job's query and write the file."""
    from services.reports.exports import run_job

    return run_job(job_id)


@shared_task(name="reports.refresh_rollups")
def refresh_rollups_task(*, sweep: bool = False) -> int:
    """Count again the days of the open period's roll-ups that events or calendar edits marked; queued on
    commit of each event, and run every minute by the beat (``sweep``, recorded on the operations page) for
    any day marked while the broker was down."""
    from services.reports.rollups import refresh

    if not sweep:
        return refresh()
    with recorded("reports.refresh_rollups") as run:
        run.found = run.processed = refresh()
    return run.processed
