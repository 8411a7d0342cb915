"""CPU per request of the pages beside the bare DRF endpoint, in-process (issue #8 §4).

wrk on a loaded machine measures the neighbours as much as the pages; this script times the Python side
alone with ``time.process_time`` (the CPU of this process: Django, the ORM, templates; not PostgreSQL's).
It needs a database built by ``bench/api_bench.py`` (its users ``bench-handler-1`` / ``bench-handler-0``
and their issues) and only reads it, apart from the sessions its test client signs in with::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jj_bench_100k REDIS_URL=redis://127.0.0.1:6379/11 \\
        .venv/bin/python bench/page_cpu.py [-n 200] [--queries]

Prints, per endpoint, ms of CPU per request, the SQL statements of one request, and bare ÷ endpoint
(≥ 0.5 is the pages' goal).
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=200, help="requests per endpoint and round (default 200)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; the best is kept")
    parser.add_argument("--queries", action="store_true", help="print each page's SQL statements")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.api_bench import api_token
    from services.accounts.models import User
    from services.issues.models import IssueUnit, StageClock

    handler = User.objects.get(username="bench-handler-1")
    busy = User.objects.get(username="bench-handler-0")
    token = api_token(handler.username)  # a token row in the bench's own database
    # Closed problems with their whole history (api_bench.py writes the events of the issues it requests),
    # as the problem page is mostly opened: submitted … signed for … answered … rated.
    closed_ids = list(
        IssueUnit.objects.filter(unit_id=handler.unit_id, issue__status="closed")
        .annotate(events=Count("issue__events"))
        .filter(events__gte=5)
        .order_by("issue_id")
        .values_list("issue_id", flat=True)[:20]
    )
    open_ids = list(
        StageClock.objects.filter(unit_id=handler.unit_id, met_at__isnull=True, stopped_at__isnull=True)
        .order_by("issue_id")
        .values_list("issue_id", flat=True)
        .distinct()[:20]
    )

    def client(user=None, **headers) -> Client:
        c = Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https", **headers)
        if user is not None:
            c.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return c

    endpoints = {
        "bare DRF, 25 rows": (client(HTTP_AUTHORIZATION=f"Token {token}"), ["/bench/bare/"]),
        "inbox page (unit, 25)": (client(handler), ["/"]),
        "busy unit inbox page": (client(busy), ["/"]),
        "problem page, closed": (client(handler), [f"/issues/{pk}/" for pk in closed_ids]),
        "problem page, open": (client(handler), [f"/issues/{pk}/" for pk in open_ids]),
    }
    counts = {}
    for label, (c, paths) in endpoints.items():
        for path in paths:  # warm: the first request of a process reads settings, the calendar, …
            assert c.get(path).status_code == 200, (label, path)
        with CaptureQueriesContext(connection) as queries:
            c.get(paths[0])
        counts[label] = len(queries)
        if args.queries:
            print(f"\n{label} {paths[0]}: {len(queries)} statements")
            for q in queries:
                print(f"  {q['time']}s  {q['sql'][:200]}")

    best: dict[str, float] = {}
    for _ in range(args.rounds):
        for label, (c, paths) in endpoints.items():
            started = time.process_time()
            for i in range(args.n):
                c.get(paths[i % len(paths)])
            spent = (time.process_time() - started) * 1000 / args.n
            best[label] = min(best.get(label, spent), spent)

    bare = best["bare DRF, 25 rows"]
    print(f"\nIn-process CPU (this Python process only), best of {args.rounds} rounds × {args.n} requests")
    print(f"{'endpoint':<26}{'ms CPU/req':>12}{'queries':>9}{'bare ÷ this':>13}")
    for label, ms in best.items():
        print(f"{label:<26}{ms:>12.2f}{counts[label]:>9}{bare / ms:>13.2f}")


if __name__ == "__main__":
    main()
