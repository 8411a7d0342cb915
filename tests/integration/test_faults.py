"""No problem is forgotten, whatever fails: Redis stopped while problems are filed, a worker killed in the
middle of a sweep, the same sweep run twice at once, a sweep meeting a user's action on the same problem.

Each test starts its own ``redis-server`` on a free port and its own workers; the machine's Redis is never
stopped. The sweeps run as of a fixed moment (the task's ``now``), since each worker has its own clock.
"""

import datetime as dt
import logging
import threading
import time

import psycopg
import pytest
from django.db import connection, transaction
from django.db.models import Count

from services.core import clock
from services.core.models import SweepRun
from services.issues import actions
from services.issues.lifecycle import Status
from services.issues.models import (
    AlertKind,
    ClockAlert,
    EventOutbox,
    Issue,
    IssueEvent,
    IssuePolicy,
    Stage,
    StageClock,
)
from services.issues.tracking import BATCH, schedule_clock, sweep_clocks
from services.notifications.models import Notification
from services.workcalendar.calendar import SHANGHAI, due_at
from tests.factories import DispatcherFactory
from tests.factories import issues as make
from tests.integration.workers import (
    backends_waiting_for_a_lock,
    broker,
    database_url,
    other_backends,
    require_postgres,
    send,
    start_redis_server,
    wait_for,
    workers,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CLOCKS = 3000
# Dispatched on Monday 2 March 2026 at 10:00, the unit had to sign by the end of Tuesday. On Wednesday at
# 10:00 every sign clock is overdue (first-level supervision) and not yet due for the second level (Friday).
DISPATCHED_AT = dt.datetime(2026, 3, 2, 10, tzinfo=SHANGHAI)
SWEEP_AT = dt.datetime(2026, 3, 4, 10, tzinfo=SHANGHAI)


@pytest.fixture
def redis_server(tmp_path):
    require_postgres()
    server = start_redis_server(tmp_path)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def start_worker(redis_server, tmp_path):
    with broker(redis_server.url()), workers(tmp_path, redis_server.url()) as start:
        yield start


@pytest.fixture
def lone_dispatcher(db):
    """The only person supervision reaches (the unit has no head), with no e-mail or phone to send to."""
    return DispatcherFactory(display_name="王调度", email="", phone="")


def overdue_sign_clocks(count: int, *, enterprise_user, category, unit) -> list[StageClock]:
    """``count`` dispatched problems whose sign clocks ran out on Tuesday, written in bulk; each clock's
    ``next_alert_at`` is what ``schedule_clock`` gives it, as the actions would."""
    policy = IssuePolicy.current()
    due = due_at(DISPATCHED_AT, policy.sign_days)
    template = StageClock(stage=Stage.SIGN, started_at=DISPATCHED_AT, due_at=due, counts_hours=False)
    schedule_clock(template, policy)
    issues = Issue.objects.bulk_create(
        Issue(
            number=f"JJ2026-{n:05d}",
            title=f"厂区道路积水第{n}处",
            description="雨季厂区门口道路积水，货车无法通行。",
            enterprise=enterprise_user.enterprise,
            category=category,
            status=Status.DISPATCHED,
            filed_by=enterprise_user,
            lead_unit=unit,
            created_at=DISPATCHED_AT,
            accepted_at=DISPATCHED_AT,
            dispatched_at=DISPATCHED_AT,
        )
        for n in range(1, count + 1)
    )
    return StageClock.objects.bulk_create(
        StageClock(
            issue=issue,
            unit=unit,
            stage=Stage.SIGN,
            started_at=DISPATCHED_AT,
            due_at=due,
            original_due_at=due,
            next_alert_at=template.next_alert_at,
        )
        for issue in issues
    )


def assert_each_clock_supervised_once(clocks: list[StageClock], dispatcher) -> None:
    """Exactly one first-level supervision per clock: one alert, one event, one inbox message; none twice."""
    clock_ids = {stage_clock.pk for stage_clock in clocks}
    alerts = ClockAlert.objects.values_list("clock_id", "kind")
    assert sorted(alerts) == sorted((pk, AlertKind.ESCALATE) for pk in clock_ids)
    events = IssueEvent.objects.filter(kind="escalate")
    assert sorted(events.values_list("data__clock", flat=True)) == sorted(clock_ids)
    assert not EventOutbox.objects.filter(notified_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=dispatcher).count() == len(clock_ids)
    assert set(Notification.objects.values_list("source_key", flat=True)) == {
        f"event:{pk}" for pk in events.values_list("pk", flat=True)
    }
    doubled = Notification.objects.values("recipient", "source_key").annotate(n=Count("pk")).filter(n__gt=1)
    assert list(doubled) == []
    second_level = due_at(clocks[0].due_at, IssuePolicy.current().second_escalation_days)
    assert set(StageClock.objects.values_list("next_alert_at", flat=True)) == {second_level}
    assert not StageClock.objects.filter(breached_at__isnull=True).exists()
    assert not Issue.objects.filter(is_escalated=False).exists()


class TableLock:
    """Holds a lock on a table from a connection of its own, until released."""

    def __init__(self, model, mode: str) -> None:
        self.connection = psycopg.connect(database_url())
        self.connection.execute(f'LOCK TABLE "{model._meta.db_table}" IN {mode} MODE')

    @property
    def pid(self) -> int:
        return self.connection.info.backend_pid

    def release(self) -> None:
        self.connection.rollback()
        self.connection.close()


# ---------------------------------------------------------------- a. Redis down while problems are filed


def test_problems_filed_while_redis_is_down_are_all_saved_at_once_and_notified_when_it_returns(
    redis_server, start_worker, enterprise_user, dispatcher, category, caplog
):
    # Given the broker has gone away.
    redis_server.stop()

    # When an enterprise files ten problems (each commit's after-commit hook tries to queue the notification).
    durations = []
    with caplog.at_level(logging.WARNING, logger="services.issues.actions"):
        for n in range(10):
            started = time.monotonic()
            make.filed(enterprise_user=enterprise_user, category=category, title=f"用工缺口第{n + 1}批")
            durations.append(time.monotonic() - started)

    # Then every filing returned promptly, every problem is saved, and its notification waits in the outbox.
    assert max(durations) < 3.0, [round(d, 2) for d in durations]
    assert Issue.objects.count() == 10
    assert len([r for r in caplog.records if "could not queue notifications" in r.getMessage()]) == 10
    assert EventOutbox.objects.filter(event__kind="submit", notified_at__isnull=True).count() == 10
    assert not Notification.objects.exists()

    # When Redis is back, a worker starts and the outbox sweep runs (twice, as beat would every minute).
    redis_server.start()
    worker = start_worker()
    send("issues.notify_pending_events", older_than_seconds=0)
    send("issues.notify_pending_events", older_than_seconds=0)

    # Then the dispatcher has each problem in the inbox exactly once.
    assert wait_for(lambda: SweepRun.objects.filter(name="issues.notify_pending_events").count() == 2), (
        worker.output()
    )
    assert not EventOutbox.objects.filter(notified_at__isnull=True).exists()
    inbox = Notification.objects.filter(recipient=dispatcher, kind="submit")
    assert sorted(inbox.values_list("source_key", flat=True)) == sorted(
        f"event:{pk}" for pk in IssueEvent.objects.filter(kind="submit").values_list("pk", flat=True)
    )
    assert sorted(SweepRun.objects.values_list("processed", flat=True)) == [0, 10]


# ---------------------------------------------------------------- b. a worker killed in the middle of a sweep


def test_a_sweep_killed_half_way_and_run_again_supervises_every_clock_exactly_once(
    start_worker, enterprise_user, category, unit, lone_dispatcher
):
    clocks = overdue_sign_clocks(CLOCKS, enterprise_user=enterprise_user, category=category, unit=unit)
    worker = start_worker()

    # When the sweep runs and, once its first batch has committed, the worker is killed (SIGKILL) while it
    # holds the next batch in an open transaction (held there by a lock on the alert table).
    send("issues.sweep_clocks", now=SWEEP_AT.isoformat())
    assert wait_for(lambda: ClockAlert.objects.exists(), interval=0.01), worker.output()
    gate = TableLock(ClockAlert, "SHARE ROW EXCLUSIVE")
    try:
        assert wait_for(lambda: backends_waiting_for_a_lock() == 1, seconds=20, interval=0.02), (
            "the sweep finished before it could be caught in the middle:\n" + worker.output()
        )
        committed = ClockAlert.objects.count()
        worker.kill()
    finally:
        gate.release()
    # The database rolls back the dead worker's open batch as soon as it notices the connection is gone.
    assert wait_for(lambda: other_backends() == [], seconds=20), other_backends()

    # Then what was committed stands, in whole batches, and nothing of the open batch survived.
    assert ClockAlert.objects.count() == committed
    assert 0 < committed < CLOCKS and committed % BATCH == 0
    assert IssueEvent.objects.filter(kind="escalate").count() == committed
    assert not SweepRun.objects.exists()  # the killed run never finished

    # When a worker is started again and beat's sweeps come round (clocks, then the outbox).
    worker = start_worker()
    send("issues.sweep_clocks", now=SWEEP_AT.isoformat())
    assert wait_for(lambda: SweepRun.objects.filter(name="issues.sweep_clocks").exists(), seconds=60), (
        worker.output()
    )
    send("issues.notify_pending_events")
    assert wait_for(lambda: not EventOutbox.objects.filter(notified_at__isnull=True).exists(), seconds=60), (
        worker.output()
    )

    # Then the second sweep did exactly what the first left, and every clock was supervised exactly once.
    run = SweepRun.objects.get(name="issues.sweep_clocks")
    assert (run.found, run.processed, run.error) == (CLOCKS - committed, CLOCKS - committed, "")
    assert_each_clock_supervised_once(clocks, lone_dispatcher)


# ---------------------------------------------------------------- c. the same sweep twice at once


def test_the_same_sweep_run_by_two_workers_at_once_shares_the_clocks_between_them(
    start_worker, enterprise_user, category, unit, lone_dispatcher
):
    clocks = overdue_sign_clocks(CLOCKS, enterprise_user=enterprise_user, category=category, unit=unit)
    first, second = start_worker(ready=False), start_worker(ready=False)
    first.wait_ready()
    second.wait_ready()

    # When both workers take the sweep and each holds a batch in an open transaction at the same moment.
    gate = TableLock(ClockAlert, "SHARE ROW EXCLUSIVE")
    try:
        send("issues.sweep_clocks", now=SWEEP_AT.isoformat())
        send("issues.sweep_clocks", now=SWEEP_AT.isoformat())
        assert wait_for(lambda: backends_waiting_for_a_lock() == 2, seconds=20, interval=0.02), (
            first.output() + second.output()
        )
    finally:
        gate.release()
    assert wait_for(lambda: SweepRun.objects.filter(name="issues.sweep_clocks").count() == 2, seconds=60), (
        first.output() + second.output()
    )
    assert wait_for(lambda: not EventOutbox.objects.filter(notified_at__isnull=True).exists(), seconds=60)

    # Then each took a share, together they took every clock once, and nobody heard anything twice.
    runs = list(SweepRun.objects.filter(name="issues.sweep_clocks"))
    assert all(run.found > 0 and run.error == "" for run in runs), [(r.found, r.error) for r in runs]
    assert sum(run.found for run in runs) == sum(run.processed for run in runs) == CLOCKS
    assert_each_clock_supervised_once(clocks, lone_dispatcher)


def test_a_sweep_passes_over_a_problem_a_unit_is_acting_on_rather_than_deadlock_with_it(
    enterprise_user, dispatcher, handler, category, django_capture_on_commit_callbacks
):
    """Actions lock the problem, then its clocks; a sweep must never wait for a problem while holding its
    clocks, or the two wait for each other until PostgreSQL kills one of them."""
    with clock.travel_to(DISPATCHED_AT):
        issue = make.dispatched(
            dispatcher=dispatcher, unit=handler.unit, enterprise_user=enterprise_user, category=category
        )
    outcome: dict[str, object] = {}

    def sweep() -> None:
        try:
            outcome["sweep"] = sweep_clocks(now=SWEEP_AT).total
        except Exception as error:  # the outcome under test
            outcome["sweep"] = error
        finally:
            connection.close()

    # When the unit signs (late) on Wednesday at 10:00, while the sweep of that moment runs.
    with clock.travel_to(SWEEP_AT), transaction.atomic():
        Issue.objects.select_for_update().get(pk=issue.pk)  # the action's first step: lock the problem
        thread = threading.Thread(target=sweep)
        thread.start()
        wait_for(lambda: not thread.is_alive() or backends_waiting_for_a_lock() > 0, seconds=5, interval=0.02)
        actions.acknowledge_issue(issue=issue, actor=handler)
    thread.join(timeout=30)

    # Then neither failed: the sweep left the problem for its next round, which reminds the unit of the
    # first contact due that day; the sign clock, met, is never supervised.
    assert outcome == {"sweep": 0}
    assert Issue.objects.get(pk=issue.pk).status == Status.HANDLING
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_clocks(now=SWEEP_AT).total == 1
    alert = ClockAlert.objects.get(issue=issue)
    assert (alert.kind, alert.clock.stage) == (AlertKind.REMIND_LAST_DAY, Stage.FIRST_CONTACT)
    assert not IssueEvent.objects.filter(issue=issue, kind="escalate").exists()
