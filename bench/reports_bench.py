"""Benchmark of the reports (issue 10 §5): the roll-ups, the headline, each breakdown, the dashboard page, the
first page of a drill-down list and a 100,000-row Excel export, with wall time, query count and the export's
peak memory.

Usage (from the repository root)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jj_rep_bench_1m \\
        .venv/bin/python bench/reports_bench.py --issues 1000000 [--rollups build|keep|none] [--rebuild]

The data: ``bench/api_bench.py``'s COPY builder (issues over the last three years with their unit parts and
stage clocks, about 88% closed), then ``add_report_data``: ratings of every level, reopens, reviewed and
unrated closures, every issue's event history, extensions approved in time and too late, enterprises up to
half the number of issues (500,000 at 1,000,000), specialists with assignments and twice as many visits as
issues (2,000,000) — COPY for new rows, INSERT … SELECT for the events derived from the issues' own
timestamps. The year measured is the current one, still running, so it is what the roll-ups serve;
``--rollups none`` measures the live computation on the same data. Never point DATABASE_URL at a database
you care about: it is dropped and created again (its name should contain ``bench``).
"""

import argparse
import os
import random
import sys
import tempfile
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/jiangjin_reports_bench")

from bench import api_bench  # noqa: E402

# ---------------------------------------------------------------- the §5 data beyond api_bench's issues

N_ENTERPRISES = 500_000
N_VISITS = 2_000_000
N_SPECIALISTS = 2_000
HISTORY_MARK = "bench-specialist-0"  # present once the histories and visits have been added


def add_report_data(issues: int) -> None:
    """What the reports read beyond api_bench's issues, parts and clocks, scaled from §5's 1,000,000:

    * ratings of every level (final and first), reopens, unrated and reviewed closures, contact and
      solved answers — an UPDATE of the closed issues;
    * each issue's event history (submit, accept or reject, withdraw, dispatch, acknowledge, respond,
      evaluate / evaluate_dissatisfied + reopen, close_unrated, review_close) — INSERT … SELECT from the
      issues' and parts' own timestamps, so the events are exactly what the rows say happened;
    * extensions on 3% of the answer clocks, half approved before the due time (the clock moved), half
      after it (the breach stands);
    * enterprises up to ``issues / 2`` (500,000 at 1,000,000), specialists with assignments, and
      ``2 × issues`` visits (2,000,000) over them — COPY.
    """
    from django.contrib.auth.hashers import make_password
    from django.db import connection

    from bench.api_bench import _columns, _row
    from services.accounts.models import Role, User
    from services.enterprises.models import Enterprise, SpecialistAssignment, Town
    from services.enterprises.uscc import check_character
    from services.visits.models import Visit

    if User.objects.filter(username=HISTORY_MARK).exists():
        print("Histories and visits already added.")
        return
    started = time.monotonic()
    cursor = connection.cursor()
    raw = cursor.cursor
    now = timezone_now()
    statements = [
        # Ratings: 80% satisfied, 12% basic, 3% first dissatisfied then reopened (final satisfied),
        # 2% dissatisfied closed by review, 3% closed unrated after the rating window.
        """UPDATE issues_issue SET
             satisfaction = CASE WHEN id % 100 < 80 THEN 'satisfied' WHEN id % 100 < 92 THEN 'basic'
                                 WHEN id % 100 < 95 THEN 'satisfied' WHEN id % 100 < 97 THEN 'dissatisfied'
                                 ELSE '' END,
             closure_kind = CASE WHEN id % 100 < 95 THEN 'rated' WHEN id % 100 < 97 THEN 'reviewed'
                                 ELSE 'unrated' END,
             rated_at = CASE WHEN id % 100 < 97 THEN closed_at END,
             reopen_count = CASE WHEN id % 100 BETWEEN 92 AND 94 THEN 1 ELSE 0 END,
             was_contacted = CASE WHEN id % 100 < 97 THEN id % 50 <> 7 END,
             was_solved = CASE WHEN id % 100 < 97 THEN id % 10 <> 3 END,
             outcome = CASE WHEN id % 10 = 3 THEN 'explained' ELSE 'solved' END
           WHERE status = 'closed'""",
        """INSERT INTO issues_issueevent (issue_id, kind, from_status, to_status, note, data, created_at)
           SELECT id, 'submit', '', 'submitted', '', '{}', created_at FROM issues_issue""",
        """INSERT INTO issues_issueevent (issue_id, kind, from_status, to_status, note, data, created_at)
           SELECT id, CASE WHEN status = 'rejected' THEN 'reject' ELSE 'accept' END, 'submitted',
                  CASE WHEN status = 'rejected' THEN 'rejected' ELSE 'accepted' END, '', '{}', accepted_at
           FROM issues_issue WHERE accepted_at IS NOT NULL""",
        """INSERT INTO issues_issueevent (issue_id, kind, from_status, to_status, note, data, created_at)
           SELECT id, 'withdraw', 'accepted', 'withdrawn', '', '{}', accepted_at + interval '2 hours'
           FROM issues_issue WHERE status = 'withdrawn'""",
        """INSERT INTO issues_issueevent (issue_id, kind, from_status, to_status, note, data, created_at)
           SELECT issue_id, 'dispatch', 'accepted', 'dispatched', '', '{}', dispatched_at
           FROM issues_issueunit WHERE role = 'lead'""",
        """INSERT INTO issues_issueevent (issue_id, kind, from_status, to_status, note, data, created_at)
           SELECT issue_id, 'acknowledge', 'dispatched', 'handling', '', '{}', acknowledged_at
           FROM issues_issueunit WHERE role = 'lead' AND acknowledged_at IS NOT NULL""",
        # Reopened ones: a first answer, a dissatisfied rating and the reopen, a day before the final answer.
        """INSERT INTO issues_issueevent (issue_id, kind, from_status, to_status, note, data, created_at)
           SELECT id, kind, '', '', '', data::jsonb, responded_at - shift FROM issues_issue,
             (VALUES ('respond', '{}', interval '26 hours'),
                     ('evaluate_dissatisfied', '{"satisfaction": "dissatisfied"}', interval '25 hours'),
                     ('reopen', '{}', interval '24 hours')) AS steps(kind, data, shift)
           WHERE status = 'closed' AND reopen_count > 0""",
        """INSERT INTO issues_issueevent (issue_id, kind, from_status, to_status, note, data, created_at)
           SELECT id, 'respond', 'handling', 'responded', '', '{}', responded_at
           FROM issues_issue WHERE responded_at IS NOT NULL""",
        """INSERT INTO issues_issueevent (issue_id, kind, from_status, to_status, note, data, created_at)
           SELECT id, CASE WHEN closure_kind = 'reviewed' THEN 'evaluate_dissatisfied' ELSE 'evaluate' END,
                  'responded', CASE WHEN closure_kind = 'reviewed' THEN 'under_review' ELSE 'closed' END, '',
                  jsonb_build_object('satisfaction', satisfaction), closed_at - interval '1 minute'
           FROM issues_issue WHERE status = 'closed' AND closure_kind IN ('rated', 'reviewed')""",
        """INSERT INTO issues_issueevent (issue_id, kind, from_status, to_status, note, data, created_at)
           SELECT id, CASE WHEN closure_kind = 'reviewed' THEN 'review_close' ELSE 'close_unrated' END,
                  '', 'closed', '', '{}', closed_at
           FROM issues_issue WHERE status = 'closed' AND closure_kind IN ('reviewed', 'unrated')""",
        # Extensions on 3% of the answer clocks of handled issues: even ids approved in time (the clock
        # moved five days), odd ids approved after the due time had passed (the breach stands).
        """INSERT INTO issues_extensionrequest (issue_id, unit_id, clock_id, requested_by_id, requested_at,
             working_days, reason, status, decided_by_id, decided_at, decision_note, old_due_at, new_due_at)
           SELECT c.issue_id, c.unit_id, c.id, i.filed_by_id, c.started_at + interval '1 day', 5, '测试延期',
                  'approved', i.filed_by_id,
                  CASE WHEN c.id % 2 = 0 THEN c.due_at - interval '1 day' ELSE c.due_at + interval '1 day' END,
                  '', c.due_at, c.due_at + interval '5 days'
           FROM issues_stageclock c JOIN issues_issue i ON i.id = c.issue_id
           WHERE c.stage = 'answer' AND c.unit_id IS NOT NULL AND c.id % 100 < 3""",
        """UPDATE issues_stageclock c SET due_at = e.new_due_at FROM issues_extensionrequest e
           WHERE e.clock_id = c.id AND e.decided_at < e.old_due_at""",
    ]
    for statement in statements:
        cursor.execute(statement)
        print(f"  {cursor.rowcount:>9,} rows: {' '.join(statement.split()[:4])} …", flush=True)

    rng = random.Random(2024)
    towns = list(Town.objects.order_by("pk").values_list("pk", flat=True))
    parks = dict(
        Enterprise.objects.exclude(park_id=None).values_list("town_id", "park_id").distinct().order_by()
    )
    have = Enterprise.objects.count()
    wanted = max(have, issues // 2)
    rows = []
    for i in range(have, wanted):
        body = f"91500117{i:09d}"
        town = towns[i % len(towns)]
        rows.append(
            _row(
                Enterprise,
                {
                    "name": f"重庆测试企业第{i}号有限公司",
                    "uscc": body + check_character(body),
                    "town_id": town,
                    "park_id": parks.get(town) if i % 3 == 0 else None,
                    "is_above_scale": i % 10 != 9,
                    "is_active": True,
                },
                now,
                skip=("id",),
            )
        )
    with raw.copy(f"COPY enterprises_enterprise ({_columns(Enterprise, skip=('id',))}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
    print(f"  {len(rows):>9,} enterprises added (COPY)", flush=True)

    password = make_password("bench-password")
    specialists = User.objects.bulk_create(
        User(
            username=f"bench-specialist-{n}", display_name=f"专员{n}", role=Role.SPECIALIST, password=password
        )
        for n in range(max(20, min(N_SPECIALISTS, issues // 500)))
    )
    specialist_ids = [user.pk for user in specialists]
    enterprise_ids = list(Enterprise.objects.order_by("pk").values_list("pk", flat=True))
    per_specialist = max(1, len(enterprise_ids) // len(specialist_ids))
    earliest = (now - timedelta(days=1100)).date()
    with raw.copy(
        f"COPY enterprises_specialistassignment ({_columns(SpecialistAssignment, skip=('id',))}) FROM STDIN"
    ) as copy:
        for n, enterprise_id in enumerate(enterprise_ids):
            copy.write_row(
                _row(
                    SpecialistAssignment,
                    {
                        "enterprise_id": enterprise_id,
                        "specialist_id": specialist_ids[min(n // per_specialist, len(specialist_ids) - 1)],
                        "started_on": earliest,
                        "ended_on": None,
                        "assigned_by_id": None,
                    },
                    now,
                    skip=("id",),
                )
            )
    print(f"  {len(enterprise_ids):>9,} assignments (COPY)", flush=True)

    n_visits = 2 * issues
    methods = ["on_site"] * 8 + ["phone", "online"]
    span = 1095 * 86400
    with raw.copy(f"COPY visits_visit ({_columns(Visit, skip=('id',))}) FROM STDIN") as copy:
        for n in range(n_visits):
            index = rng.randrange(len(enterprise_ids))
            visited = now - timedelta(seconds=rng.randrange(span))
            copy.write_row(
                _row(
                    Visit,
                    {
                        "enterprise_id": enterprise_ids[index],
                        "specialist_id": specialist_ids[
                            min(index // per_specialist, len(specialist_ids) - 1)
                        ],
                        "visited_at": visited,
                        "method": methods[n % len(methods)],
                        "client_key": None,
                        "created_at": visited,
                    },
                    now,
                    skip=("id",),
                )
            )
            if (n + 1) % 500_000 == 0:
                print(f"  {n + 1:>9,} visits (COPY)", flush=True)
    cursor.execute("ANALYZE")
    print(f"  histories and visits added in {time.monotonic() - started:.0f} s", flush=True)


def timezone_now():
    from django.utils import timezone

    return timezone.now()


def timed(label: str, function, rows: list, *, repeat: int = 1) -> object:
    """Wall time and statements of ``function``: the first call, and with ``repeat`` > 1 the median of the
    calls after it (the database's and the process's caches warm, as for a page asked again and again)."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    times = []
    for _ in range(repeat):
        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            result = function()
            times.append((time.perf_counter() - started) * 1000)
    warm = sorted(times[1:])[len(times[1:]) // 2] if repeat > 1 else None
    rows.append((label, times[0], warm, len(queries)))
    shown = f"{times[0]:10.1f} ms" + (f", then {warm:8.1f} ms" if warm is not None else "")
    print(f"  {label:40} {shown} {len(queries):5} queries", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--issues", type=int, default=10_000)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--export-rows", type=int, default=100_000)
    parser.add_argument(
        "--repeat", type=int, default=5, help="calls of each figure and page (the first, then the median)"
    )
    parser.add_argument(
        "--rollups",
        choices=("build", "keep", "none"),
        default="build",
        help="build: count this year's roll-ups (timed) and read them; keep: read them as they are; "
        "none: drop their state so that every figure is computed live",
    )
    args = parser.parse_args()
    api_bench.prepare(args.issues, rebuild=args.rebuild)
    add_report_data(args.issues)

    from django.db import connection
    from django.db.models import Max, Min
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from services.accounts.models import User
    from services.issues.models import Issue
    from services.reports import exports
    from services.reports.figures import Breakdown, compute
    from services.reports.figures.drilldown import drill
    from services.visits.coverage import Period

    span = Issue.objects.aggregate(first=Min("created_at"), last=Max("created_at"))
    year = timezone.localtime(span["last"]).year
    period = Period.year(year)
    rows: list = []
    from services.reports import rollups
    from services.reports.models import RollupState

    if args.rollups == "none":
        RollupState.objects.all().delete()
    elif args.rollups == "build":
        timed(
            f"roll-ups: count {year} (rebuild)", lambda: rollups.rebuild(period.start, period.last_day), rows
        )
    if args.rollups == "build" and connection.vendor == "postgresql":
        # The rebuild replaced a year of rows; autovacuum would soon clean up after it, as it does in use.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE reports_daytally")
    if args.rollups != "none":
        today = timezone.localdate()
        timed("roll-ups: count one day again (refresh)", lambda: rollups.recount([today]), rows)
    timed(f"headline {year} (totals)", lambda: compute(period), rows, repeat=args.repeat)
    for by in Breakdown.VALUES:
        live = by in (Breakdown.TOWN, Breakdown.PARK)  # seconds a call at 1,000,000: twice is enough
        repeat = min(args.repeat, 2) if live else args.repeat
        timed(f"breakdown by {by}", lambda by=by: compute(period, by=by), rows, repeat=repeat)
    leader = User.objects.filter(role="leader").first() or User.objects.create(
        username="bench-leader", role="leader"
    )
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(leader)

    def page(path: str, query: dict):
        response = client.get(path, query, secure=True)  # with DEBUG off plain HTTP is redirected
        assert response.status_code == 200, (path, response.status_code)
        return response

    page(reverse("web:reports"), {"kind": "year", "year": year})  # warm: the header's cached unread count
    timed(
        "dashboard page (by unit)",
        lambda: page(reverse("web:reports"), {"kind": "year", "year": year}),
        rows,
        repeat=args.repeat,
    )
    timed(
        "drill-down first page (closed)",
        lambda: page(reverse("web:reports-drilldown", args=["closed"]), {"kind": "year", "year": year}),
        rows,
        repeat=args.repeat,
    )
    found = drill(period, "closed")

    def export(n_rows: int) -> int:
        limited = type(found)(found.part, found.kind, found.rows[:n_rows])
        with tempfile.TemporaryFile() as handle:  # as the worker writes it
            return exports.drilldown_workbook(
                handle, limited, period_name=str(year), filters="", frozen=False
            )

    written = timed(
        f"Excel export (closed, {args.export_rows:,} rows)", lambda: export(args.export_rows), rows
    )
    peaks = {}
    for n_rows in (args.export_rows // 10, args.export_rows):  # Python's peak: constant memory if equal
        tracemalloc.start()
        export(n_rows)
        peaks[n_rows] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    print(f"\n{args.issues:,} issues; year {year}; roll-ups: {args.rollups}; load average {os.getloadavg()}")
    print(f"{'measure':40} {'first ms':>10} {'then ms':>10} {'queries':>8}")
    for label, first, warm, queries in rows:
        then = "" if warm is None else f"{warm:.1f}"
        print(f"{label:40} {first:10.1f} {then:>10} {queries:8}")
    print(
        f"export: {written:,} rows; Python peak "
        + ", ".join(f"{p / 1e6:.1f} MB at {n:,} rows" for n, p in peaks.items())
    )


if __name__ == "__main__":
    main()
