"""Benchmark of the reports (issue 10 §5): the headline, each breakdown, the dashboard page, the first page
of a drill-down list and an Excel export, with wall time, query count and the export's peak memory.

Usage (from the repository root)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiangjin_reports_bench \\
        .venv/bin/python bench/reports_bench.py --issues 10000 [--rebuild]

The data is built by ``bench/api_bench.py``'s COPY builder (issues with their unit parts and stage clocks,
about 80% closed), for the year before the current one's start. Not yet in the data set (left for the full
§5 bench): the event histories (first ratings then read no event: 首次满意率 counts nothing), extensions and
the 2,000,000 visits. Never point DATABASE_URL at a database you care about: it is dropped and created again.
"""

import argparse
import io
import os
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/jiangjin_reports_bench")

from bench import api_bench  # noqa: E402


def timed(label: str, function, rows: list) -> object:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = function()
        elapsed = (time.perf_counter() - started) * 1000
    rows.append((label, elapsed, len(queries)))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--issues", type=int, default=10_000)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--export-rows", type=int, default=100_000)
    args = parser.parse_args()
    api_bench.prepare(args.issues, rebuild=args.rebuild)

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
    timed(f"headline {year} (totals)", lambda: compute(period), rows)
    for by in Breakdown.VALUES:
        timed(f"breakdown by {by}", lambda by=by: compute(period, by=by), rows)
    leader = User.objects.filter(role="leader").first() or User.objects.create(
        username="bench-leader", role="leader"
    )
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(leader)
    timed(
        "dashboard page (by unit)",
        lambda: client.get(reverse("web:reports"), {"kind": "year", "year": year}),
        rows,
    )
    timed(
        "drill-down first page (closed)",
        lambda: client.get(reverse("web:reports-drilldown", args=["closed"]), {"kind": "year", "year": year}),
        rows,
    )
    found = drill(period, "closed")
    limited = type(found)(found.part, found.kind, found.rows[: args.export_rows])
    tracemalloc.start()
    buffer = io.BytesIO()
    written = timed(
        "Excel export (closed)",
        lambda: exports.drilldown_workbook(buffer, limited, period_name=str(year), filters="", frozen=False),
        rows,
    )
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"\n{args.issues:,} issues; year {year}")
    print(f"{'measure':36} {'ms':>10} {'queries':>8}")
    for label, elapsed, queries in rows:
        print(f"{label:36} {elapsed:10.1f} {queries:8}")
    print(
        f"export: {written:,} rows, {len(buffer.getvalue()) / 1e6:.1f} MB file, Python peak {peak / 1e6:.1f} MB"
    )


if __name__ == "__main__":
    main()
