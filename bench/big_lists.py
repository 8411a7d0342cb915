"""Issue #12 item 4: a request carrying 20,000 ids where a handful belong is refused quickly, before any of
them is looked up. Prints the wall time and the CPU of this process per request, with the statements made.

Needs a database with the demo district (``make demo-data`` into it, or the soak's ``jj_soak_bench``) and only
reads it: every request is refused. It empties the cache of ``REDIS_URL`` (the throttles' counters) before
each request, so give it a Redis database of its own::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jj_soak_bench REDIS_URL=redis://127.0.0.1:6379/13 \\
        .venv/bin/python bench/big_lists.py [-n 50]
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=50, help="requests per case (default 50)")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    from services.accounts.models import Role, User
    from services.enterprises.models import SpecialistAssignment
    from services.issues.models import Issue

    dispatcher = User.objects.filter(role=Role.DISPATCHER, is_active=True).first()
    assignment = (
        SpecialistAssignment.objects.filter(ended_on__isnull=True).select_related("specialist").first()
    )
    issue = Issue.objects.filter(status__in=["submitted", "accepted"]).first()
    if not (dispatcher and assignment and issue):
        sys.exit(
            "needs a dispatcher, a serving specialist and a submitted or accepted problem (the demo district)"
        )
    lead = issue.category.default_lead_unit_id or 1

    def client(user) -> APIClient:
        api = APIClient(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
        api.force_authenticate(user)
        return api

    cases = {
        "20,000 co_units on dispatch": (
            client(dispatcher),
            f"/api/v1/issues/{issue.pk}/dispatch/",
            {"lead_unit": lead, "co_units": list(range(1, 20_001))},
        ),
        "20,000 companions on a visit": (
            client(assignment.specialist),
            "/api/v1/visits/",
            {
                "enterprise": assignment.enterprise_id,
                "visited_at": "2026-03-02T10:00:00+08:00",
                "companions": list(range(1, 20_001)),
            },
        ),
    }
    print(
        f"{'case':<32}{'status':>7}{'bytes':>7}{'queries':>9}{'wall p50 ms':>13}{'wall max ms':>13}{'CPU ms':>9}"
    )
    for label, (api, path, body) in cases.items():
        raw = json.dumps(body)
        cache.clear()
        api.post(path, raw, content_type="application/json")  # warm
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            response = api.post(path, raw, content_type="application/json")
        walls, cpu = [], 0.0
        for _ in range(args.n):
            cache.clear()  # the throttles count in this bench's own cache; each request must reach the rule
            started, cpu_started = time.perf_counter(), time.process_time()
            refused = api.post(path, raw, content_type="application/json")
            walls.append((time.perf_counter() - started) * 1000)
            cpu += (time.process_time() - cpu_started) * 1000 / args.n
            assert refused.status_code == 400, refused.status_code
        print(
            f"{label:<32}{response.status_code:>7}{len(response.content):>7}{len(queries):>9}"
            f"{statistics.median(walls):>13.1f}{max(walls):>13.1f}{cpu:>9.1f}"
        )


if __name__ == "__main__":
    main()
