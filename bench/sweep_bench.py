"""How one clock sweep's cost grows: with what is due, not with what is open.

Loads N open problems into a PostgreSQL database of its own, each with its running answer clock (1% of them
with an alert due now, the rest later), then times one ``sweep_clocks`` as of a fixed moment and counts its
SQL queries. Scenarios: 1,000,000 open / 10,000 due, 1,000,000 open / 100 due, 10,000 open / 100 due.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiangjin_bench .venv/bin/python bench/sweep_bench.py
    ... bench/sweep_bench.py --open 200000          # a quicker run
    ... bench/sweep_bench.py --profile              # where a sweep's time goes (cProfile, top functions)

The database is created if missing and migrated; its problem tables are emptied on every run, so the name
must contain "bench". Notifications go to an in-memory broker: this measures the sweep, not delivery.
"""

import argparse
import cProfile
import datetime as dt
import os
import pstats
import re
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/jiangjin_bench")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-not-a-secret")
os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
os.environ.pop("REDIS_URL", None)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiangjin.settings.base")

import psycopg  # noqa: E402

SHANGHAI_OFFSET = dt.timezone(dt.timedelta(hours=8))
# Monday 16 March 2026, 10:00 in Jiangjin: the moment every sweep runs as of.
NOW = dt.datetime(2026, 3, 16, 10, 0, tzinfo=SHANGHAI_OFFSET)
COPY_CHUNK = 50_000


def ensure_database(url: str) -> None:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if "bench" not in name:
        sys.exit(f"refusing to empty tables in {name!r}: the benchmark's database name must contain 'bench'")
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")


ensure_database(os.environ["DATABASE_URL"])

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from jiangjin.celery import app as celery_app  # noqa: E402
from services.accounts.models import Role, User  # noqa: E402
from services.departments.models import Unit, UnitKind  # noqa: E402
from services.enterprises.models import Enterprise, Town, TownKind  # noqa: E402
from services.issues.lifecycle import Status  # noqa: E402
from services.issues.models import (  # noqa: E402
    Category,
    ClockAlert,
    Issue,
    IssueEvent,
    IssuePolicy,
    Stage,
    StageClock,
)
from services.issues.tracking import BATCH, schedule_clock, sweep_clocks  # noqa: E402
from services.workcalendar.calendar import due_at, is_working_day  # noqa: E402


def reference_rows() -> tuple[Enterprise, Category, User, Unit]:
    town, _ = Town.objects.get_or_create(code="bench", defaults={"name": "基准镇", "kind": TownKind.TOWN})
    enterprise, _ = Enterprise.objects.get_or_create(
        uscc="91500116000000001X", defaults={"name": "基准测试企业", "town": town}
    )
    unit, _ = Unit.objects.get_or_create(
        code="bench",
        defaults={"name": "基准测试承办单位", "short_name": "基准单位", "kind": UnitKind.DEPARTMENT},
    )
    category, _ = Category.objects.get_or_create(
        code="bench", defaults={"name": "基准", "default_lead_unit": unit}
    )
    user, _ = User.objects.get_or_create(
        username="bench-enterprise", defaults={"role": Role.ENTERPRISE, "enterprise": enterprise}
    )
    User.objects.get_or_create(username="bench-dispatcher", defaults={"role": Role.DISPATCHER})
    User.objects.get_or_create(username="bench-handler", defaults={"role": Role.HANDLER, "unit": unit})
    return enterprise, category, user, unit


def clock_shapes(policy: IssuePolicy) -> tuple[list[tuple], list[tuple]]:
    """(started_at, due_at, next_alert_at) of answer clocks with an alert due at NOW, and of clocks without.

    Due ones started on each of the ten working days before NOW at several hours (reminders and first- and
    second-level supervision among them); the others started this morning, their first reminder days away.
    """
    due, later = [], []
    day = NOW.date()
    starts = []
    for _ in range(10):
        day = day - dt.timedelta(days=1)
        while not is_working_day(day):
            day = day - dt.timedelta(days=1)
        starts += [dt.datetime.combine(day, dt.time(hour, 17), SHANGHAI_OFFSET) for hour in (9, 11, 14, 16)]
    for start in starts:
        shape = _shape(start, policy)
        if shape[2] is not None and shape[2] <= NOW:
            due.append(shape)
    for minute in range(0, 60, 3):
        shape = _shape(NOW.replace(hour=9, minute=minute), policy)
        assert shape[2] > NOW
        later.append(shape)
    return due, later


def _shape(start: dt.datetime, policy: IssuePolicy) -> tuple:
    stage_clock = StageClock(
        stage=Stage.ANSWER,
        started_at=start,
        due_at=due_at(start, policy.answer_days_normal),
        counts_hours=False,
    )
    schedule_clock(stage_clock, policy)
    return stage_clock.started_at, stage_clock.due_at, stage_clock.next_alert_at


def empty_tables() -> None:
    tables = [model._meta.db_table for model in (ClockAlert, IssueEvent, StageClock, Issue)]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")


def load(open_count: int, due_count: int) -> None:
    """``open_count`` problems being handled, each with one running answer clock; ``due_count`` of them
    (spread evenly through the table) have an alert due at NOW. Written with COPY."""
    empty_tables()
    enterprise, category, filed_by, unit = reference_rows()
    policy = IssuePolicy.current()
    due_shapes, later_shapes = clock_shapes(policy)
    step = open_count // due_count if due_count else open_count + 1
    issue_columns = [
        "id", "number", "title", "description", "enterprise_id", "category_id", "urgency", "complexity",
        "channel", "status", "filed_by_id", "contact_name", "contact_phone", "lead_unit_id", "outcome",
        "response", "satisfaction", "rating_comment", "closure_kind", "closure_reason", "reopen_count",
        "transfer_count", "is_escalated", "created_at", "accepted_at", "dispatched_at", "updated_at",
    ]  # fmt: skip
    clock_columns = [
        "id", "issue_id", "unit_id", "stage", "cycle", "started_at", "due_at", "original_due_at",
        "counts_hours", "next_alert_at",
    ]  # fmt: skip
    started = time.perf_counter()
    connection.ensure_connection()
    with connection.connection.cursor() as cursor:  # psycopg's own cursor, for its COPY
        for table, columns, rows in (
            (Issue._meta.db_table, issue_columns, "issues"),
            (StageClock._meta.db_table, clock_columns, "clocks"),
        ):
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for n in range(1, open_count + 1):
                    is_due = due_count and n % step == 0 and n // step <= due_count
                    shapes = due_shapes if is_due else later_shapes
                    start, due, next_alert = shapes[n % len(shapes)]
                    if rows == "issues":
                        copy.write_row(
                            (
                                n, f"JJ2026-{n:07d}", f"基准诉求{n}", "基准测试用的诉求描述。", enterprise.pk,
                                category.pk, "normal", "normal", "online", Status.HANDLING, filed_by.pk, "", "",
                                unit.pk, "", "", "", "", "", "", 0, 0, False, start, start, start, start,
                            )
                        )  # fmt: skip
                    else:
                        copy.write_row((n, n, unit.pk, Stage.ANSWER, 0, start, due, due, False, next_alert))
        for table in (Issue._meta.db_table, StageClock._meta.db_table):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
    print(f"  loaded {open_count:,} problems and clocks in {time.perf_counter() - started:.1f} s", flush=True)
    vacuum()


def vacuum(*, quiet: bool = False) -> None:
    started = time.perf_counter()
    tables = [model._meta.db_table for model in (Issue, StageClock, ClockAlert, IssueEvent)]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"VACUUM ANALYZE {table}")
    if not quiet:
        print(f"  VACUUM ANALYZE in {time.perf_counter() - started:.1f} s", flush=True)


def due_now() -> int:
    return StageClock.objects.filter(
        met_at__isnull=True, stopped_at__isnull=True, next_alert_at__lte=NOW
    ).count()


def make_due_again(count: int) -> None:
    """Undo the last sweep for ``count`` of the clocks it handled, so that exactly those are due again."""
    clock_ids = list(
        ClockAlert.objects.order_by("clock_id").values_list("clock_id", flat=True).distinct()[:count]
    )
    ClockAlert.objects.filter(clock_id__in=clock_ids).delete()
    IssueEvent.objects.filter(kind__in=["remind", "escalate"]).delete()
    Issue.objects.filter(is_escalated=True).update(is_escalated=False)
    policy = IssuePolicy.current()
    clocks = list(StageClock.objects.filter(pk__in=clock_ids))
    for stage_clock in clocks:
        stage_clock.breached_at = None
        schedule_clock(stage_clock, policy)
    StageClock.objects.bulk_update(clocks, ["breached_at", "next_alert_at"], batch_size=500)


class QueryCounter:
    """Counts the sweep's SQL statements, by the table they read first (a cheap ``execute_wrapper``)."""

    FROM = re.compile(r'(?:FROM|INTO|UPDATE)\s+"?(\w+)"?', re.IGNORECASE)

    def __init__(self) -> None:
        self.total = 0
        self.by_table: Counter[str] = Counter()

    def __call__(self, execute, sql, params, many, context):
        self.total += 1
        match = self.FROM.search(sql)
        self.by_table[match.group(1) if match else sql.split()[0].upper()] += 1
        return execute(sql, params, many, context)


def measure(label: str, open_count: int, due_count: int, repeat: int, profile: bool) -> dict:
    """The median of ``repeat`` sweeps, each over the same ``due_count`` clocks made due again."""
    runs = []
    for attempt in range(repeat):
        if attempt or due_now() != due_count:
            make_due_again(due_count)
            vacuum(quiet=True)
        runs.append(sweep_once(label, open_count, profile and attempt == 0))
    runs.sort(key=lambda run: run["wall"])
    return runs[len(runs) // 2]


def sweep_once(label: str, open_count: int, profile: bool) -> dict:
    due = due_now()
    counter = QueryCounter()
    profiler = cProfile.Profile() if profile else None
    with connection.execute_wrapper(counter):
        started, cpu_started = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        result = sweep_clocks(now=NOW)
        if profiler:
            profiler.disable()
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    assert result.clocks == due, (result.clocks, due)
    assert due_now() == 0
    print(
        f"  {label}: swept {result.clocks:,} clocks, {result.total:,} alerts {dict(result.alerts)} "
        f"in {wall:.3f} s ({cpu:.3f} s of it this process's CPU), {counter.total:,} queries",
        flush=True,
    )
    print(f"    queries by table: {dict(counter.by_table.most_common(8))}", flush=True)
    if profiler:
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(
            r"tracking|query.py|compiler.py|psycopg/cursor|calendar", 30
        )
    return {
        "open": open_count,
        "due": due,
        "wall": wall,
        "cpu": cpu,
        "queries": counter.total,
        "alerts": result.total,
    }


def explain() -> str:
    selection = (
        StageClock.objects.filter(met_at__isnull=True, stopped_at__isnull=True, next_alert_at__lte=NOW)
        .select_related("issue")
        .order_by("next_alert_at")[:BATCH]
    )
    return selection.explain()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--open", type=int, default=1_000_000, help="open problems in the large run")
    parser.add_argument("--small", type=int, default=10_000, help="open problems in the small run")
    parser.add_argument("--repeat", type=int, default=3, help="sweeps per scenario; the median is shown")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the large sweep")
    args = parser.parse_args()
    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_url = "memory://localhost//"
    print(f"database {connection.settings_dict['NAME']}; sweeping as of {NOW.isoformat()}", flush=True)
    print(f"{os.cpu_count()} CPUs, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        print(f"PostgreSQL {cursor.fetchone()[0]}; batch of {BATCH} clocks per transaction", flush=True)
    rows = []

    print(f"\n{args.open:,} open problems, 1% due", flush=True)
    load(args.open, args.open // 100)
    print("  selection plan:\n    " + explain().replace("\n", "\n    "), flush=True)
    rows.append(measure("large, 1% due", args.open, args.open // 100, args.repeat, args.profile))
    rows.append(measure(f"large, {args.small // 100} due", args.open, args.small // 100, args.repeat, False))

    print(f"\n{args.small:,} open problems, 1% due", flush=True)
    load(args.small, args.small // 100)
    rows.append(measure("small, 1% due", args.small, args.small // 100, args.repeat, False))

    print(
        f"\nMedian of {args.repeat} sweeps each:"
        "\n| open problems | due clocks | alerts | wall time | Python CPU | SQL queries | time per due clock |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print(
            f"| {row['open']:,} | {row['due']:,} | {row['alerts']:,} | {row['wall']:.3f} s | {row['cpu']:.3f} s "
            f"| {row['queries']:,} "
            f"| {row['wall'] / row['due'] * 1000:.2f} ms |"
        )
    large, large_few, small = rows
    print(
        f"\nSame due ({small['due']:,}), {large_few['open'] // small['open']}× the open problems: "
        f"wall time ×{large_few['wall'] / small['wall']:.2f}, queries ×{large_few['queries'] / small['queries']:.2f}."
    )
    print(
        f"Same open ({large['open']:,}), {large['due'] // large_few['due']}× the due clocks: "
        f"wall time ×{large['wall'] / large_few['wall']:.1f}, queries ×{large['queries'] / large_few['queries']:.1f}."
    )
    print(
        f"Both {large['open'] // small['open']}× ({large['open']:,}/{large['due']:,} vs {small['open']:,}/"
        f"{small['due']:,}): wall time ×{large['wall'] / small['wall']:.1f}, "
        f"queries ×{large['queries'] / small['queries']:.1f}."
    )


if __name__ == "__main__":
    main()
