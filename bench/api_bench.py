"""Benchmark of the issue API under gunicorn, side by side with a bare DRF endpoint on the same table.

Usage (from the repository root)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiangjin_api_bench \\
        .venv/bin/python bench/api_bench.py --issues 1000000 [--duration 20] [--connections 8] [--workers 4]

What it does:

1. Creates (or reuses, when it already holds the same number of bench issues) the database named in
   DATABASE_URL, migrates it, and builds a district: 30 towns, 4 parks, 40 units, 12 × 4 categories,
   enterprises, a dispatcher and one handler per unit; then N issues with their unit parts and stage clocks,
   written with PostgreSQL COPY (about 80% closed, the rest open with running clocks around today).
2. Starts gunicorn on a free port of 127.0.0.1 with ``bench.settings`` (the product settings plus
   ``/bench/bare/``, a DRF list of 25 rows of the issue table with the same token authentication).
3. Measures with ``wrk`` when it is installed (``apt-get install -y wrk``), otherwise with a Python
   keep-alive load loop: the unit inbox (``/api/v1/issues/inbox/``, 25 per page, soonest due first, as a
   handler), issue detail (``/api/v1/issues/{id}/``, rotating over issues of that unit), the district list
   (``/api/v1/issues/``, newest first, as the dispatcher) and the bare endpoint; and the pages, signed in
   with a session cookie: the unit's inbox page (``/``) and the problem page (``/issues/{id}/``).
4. Prints requests per second, p50 and p99 latency and the ratio of each to the bare endpoint (goal ≥ 0.6 for the API, ≥ 0.5 for the pages),
   and the query plan of the inbox query.

Never point DATABASE_URL at a database you care about: unless reused, it is dropped and created again.
"""

import argparse
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from datetime import UTC, datetime, timedelta
from http.client import HTTPConnection
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/jiangjin_api_bench"
os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)

BENCH_MARK = "BENCH"  # issue numbers start with it; the reuse check counts them
ISSUES_PER_UNIT = 2_500  # a national roll-out has thousands of units; the district has about 40
BUSY_SHARE = 0.05  # unit 0 gets this share of all dispatched issues: the worst inbox, measured too
N_TOWNS = 30
TITLES = [
    "招工难，急需焊工30名",
    "新产线用电增容",
    "厂区用地规划许可办理",
    "流动资金贷款需求",
    "物流园区道路拥堵",
    "研发费用加计扣除政策咨询",
    "技改补贴兑现进度",
    "环评审批时限",
    "天然气供应不稳定",
    "出口订单报关协调",
]


# ---------------------------------------------------------------- database


def _database() -> tuple[str, dict]:
    parsed = urllib.parse.urlparse(os.environ["DATABASE_URL"])
    if parsed.scheme not in ("postgres", "postgresql"):
        sys.exit("The benchmark needs PostgreSQL: set DATABASE_URL=postgres://…")
    name = parsed.path.lstrip("/")
    server = {
        "host": parsed.hostname or "127.0.0.1",
        "port": parsed.port or 5432,
        "user": urllib.parse.unquote(parsed.username or "postgres"),
        "password": urllib.parse.unquote(parsed.password or ""),
        "dbname": "postgres",
    }
    return name, server


def bench_issue_count(name: str, server: dict) -> int | None:
    import psycopg

    try:
        with psycopg.connect(**{**server, "dbname": name}) as conn:
            return conn.execute(
                "SELECT count(*) FROM issues_issue WHERE number LIKE %s", [BENCH_MARK + "%"]
            ).fetchone()[0]
    except psycopg.Error:
        return None


def recreate_database(name: str, server: dict) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(**server, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


# ---------------------------------------------------------------- data


def _fields(model, skip: tuple[str, ...]):
    return [field for field in model._meta.concrete_fields if field.attname not in skip]


def _row(model, values: dict, now: datetime, skip: tuple[str, ...] = ()) -> tuple:
    """A COPY row in the model's column order; unspecified columns take the field's default."""
    row = []
    for field in _fields(model, skip):
        key = field.attname
        if key in values:
            row.append(values[key])
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            row.append(now)
        elif field.has_default():
            row.append(field.get_default())
        elif field.null:
            row.append(None)
        else:
            row.append("")
    return tuple(row)


def _columns(model, skip: tuple[str, ...] = ()) -> str:
    return ", ".join(f'"{field.column}"' for field in _fields(model, skip))


def build_reference(n_enterprises: int, n_units: int):
    from django.contrib.auth.hashers import make_password

    from services.accounts.models import Role, User
    from services.departments.models import Unit, UnitKind
    from services.enterprises.models import Enterprise, Park, Town, TownKind
    from services.enterprises.uscc import check_character
    from services.issues.models import Category

    towns = Town.objects.bulk_create(
        Town(code=f"bench-town-{i}", name=f"测试镇街{i}", kind=TownKind.STREET if i < 5 else TownKind.TOWN)
        for i in range(N_TOWNS)
    )
    parks = Park.objects.bulk_create(
        Park(code=f"bench-park-{i}", name=f"测试园区{i}", town=towns[i]) for i in range(4)
    )
    units = Unit.objects.bulk_create(
        Unit(
            code=f"bench-unit-{i}",
            name=f"重庆市江津区测试承办单位{i}",
            short_name=f"承办单位{i}",
            kind=UnitKind.DEPARTMENT,
        )
        for i in range(n_units)
    )
    tops = Category.objects.bulk_create(
        Category(code=f"bench-cat-{i}", name=f"一级分类{i}", default_lead_unit=units[i], sort=i)
        for i in range(12)
    )
    leaves = Category.objects.bulk_create(
        Category(code=f"bench-cat-{i}-{j}", name=f"二级分类{i}-{j}", parent=tops[i], sort=j)
        for i in range(12)
        for j in range(4)
    )
    enterprises = []
    for i in range(n_enterprises):
        body = f"91500116{i:09d}"
        enterprises.append(
            Enterprise(
                name=f"重庆测试企业第{i}有限公司",
                uscc=body + check_character(body),
                town=towns[i % N_TOWNS],
                park=parks[i % 4] if i % 3 == 0 else None,
                is_above_scale=True,
            )
        )
    enterprises = Enterprise.objects.bulk_create(enterprises, batch_size=5000)
    password = make_password("bench-password")
    dispatcher = User.objects.create(username="bench-dispatcher", role=Role.DISPATCHER, password=password)
    handlers = User.objects.bulk_create(
        User(username=f"bench-handler-{i}", role=Role.HANDLER, unit=units[i], password=password)
        for i in range(n_units)
    )
    return units, leaves, [e.pk for e in enterprises], dispatcher, handlers


# Most issues of a year's data are closed; about 6% are open, with running clocks around today.
STATUS_WEIGHTS = [
    ("closed", 88),
    ("rejected", 4),
    ("withdrawn", 2),
    ("handling", 3),
    ("dispatched", 1),
    ("submitted", 1),
    ("responded", 1),
]


def build_issues(count: int, *, units, categories, enterprise_ids, dispatcher, seed: int = 2023) -> None:
    """COPY ``count`` issues with their unit parts and clocks, in batches of 50,000."""
    from django.db import connection

    from services.issues.models import Issue, IssueUnit, StageClock

    rng = random.Random(seed)
    now = datetime.now(UTC)
    statuses = [name for name, weight in STATUS_WEIGHTS for _ in range(weight)]
    unit_ids = [u.pk for u in units]
    category_ids = [c.pk for c in categories]
    start_id = 1 + (Issue.objects.order_by("-pk").values_list("pk", flat=True).first() or 0)
    day = timedelta(days=1)

    def clock_row(issue_id, unit_id, stage, started, due, *, met=None, stopped=None):
        return _row(
            StageClock,
            {
                "issue_id": issue_id,
                "unit_id": unit_id,
                "stage": stage,
                "cycle": 0,
                "started_at": started,
                "due_at": due,
                "original_due_at": due,
                "met_at": met,
                "stopped_at": stopped,
                "counts_hours": False,
            },
            now,
            skip=("id",),
        )

    batch = 50_000
    cursor = connection.cursor()
    raw = cursor.cursor  # psycopg's own cursor, for COPY
    for first in range(0, count, batch):
        issues, parts, clocks = [], [], []
        for n in range(first, min(first + batch, count)):
            issue_id = start_id + n
            status = rng.choice(statuses)
            is_open = status in ("handling", "dispatched", "submitted", "accepted", "responded")
            age = timedelta(
                seconds=rng.randint(0, 20 * 86400) if is_open else rng.randint(20 * 86400, 1095 * 86400)
            )
            created = now - age
            lead = None
            if status in ("dispatched", "handling", "responded", "closed"):
                lead = unit_ids[0] if rng.random() < BUSY_SHARE else rng.choice(unit_ids[1:])
            accepted = created + timedelta(hours=rng.randint(1, 20)) if status not in ("submitted",) else None
            dispatched = accepted + timedelta(hours=rng.randint(1, 8)) if lead else None
            responded = (
                dispatched + timedelta(days=rng.randint(1, 6)) if status in ("responded", "closed") else None
            )
            closed = responded + timedelta(days=rng.randint(0, 3)) if status == "closed" else None
            values = {
                "id": issue_id,
                "number": f"{BENCH_MARK}-{issue_id:08d}",
                "title": rng.choice(TITLES),
                "description": "企业反映：" + rng.choice(TITLES) + "，请相关部门协调解决。",
                "enterprise_id": rng.choice(enterprise_ids),
                "category_id": rng.choice(category_ids),
                "urgency": "normal" if rng.random() < 0.9 else "urgent",
                "complexity": "normal",
                "channel": "phone",
                "status": status,
                "filed_by_id": dispatcher.pk,
                "lead_unit_id": lead,
                "created_at": created,
                "accepted_at": accepted,
                "dispatched_at": dispatched,
                "responded_at": responded,
                "closed_at": closed,
            }
            if status == "closed":
                values.update(
                    closure_kind="rated", outcome="solved", satisfaction="satisfied", rated_at=closed
                )
            if status in ("rejected", "withdrawn"):
                values["closure_reason"] = "测试"
            issues.append(_row(Issue, values, now))

            if status == "submitted":
                clocks.append(clock_row(issue_id, None, "accept", created, created + day))
                continue
            clocks.append(clock_row(issue_id, None, "accept", created, created + day, met=accepted))
            if lead is None:
                continue
            handled = status != "dispatched"
            parts.append(
                _row(
                    IssueUnit,
                    {
                        "issue_id": issue_id,
                        "unit_id": lead,
                        "role": "lead",
                        "dispatched_at": dispatched,
                        "acknowledged_at": dispatched + timedelta(hours=2) if handled else None,
                        "first_contact_at": dispatched + timedelta(hours=5) if responded else None,
                        "ended_at": closed,
                        "end_reason": "closed" if closed else "",
                    },
                    now,
                    skip=("id",),
                )
            )
            clocks.append(
                clock_row(
                    issue_id,
                    lead,
                    "sign",
                    dispatched,
                    dispatched + day,
                    met=dispatched + timedelta(hours=2) if handled else None,
                )
            )
            clocks.append(
                clock_row(
                    issue_id,
                    lead,
                    "first_contact",
                    dispatched,
                    dispatched + 2 * day,
                    met=dispatched + timedelta(hours=5) if responded else None,
                )
            )
            clocks.append(
                clock_row(issue_id, lead, "answer", dispatched, dispatched + 7 * day, met=responded)
            )
            if responded:
                clocks.append(clock_row(issue_id, None, "rating", responded, responded + 3 * day, met=closed))
        with raw.copy(f"COPY issues_issue ({_columns(Issue)}) FROM STDIN") as copy:
            for row in issues:
                copy.write_row(row)
        for table, model, rows in (
            ("issues_issueunit", IssueUnit, parts),
            ("issues_stageclock", StageClock, clocks),
        ):
            with raw.copy(f"COPY {table} ({_columns(model, skip=('id',))}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        print(f"  {min(first + batch, count):>9,} issues", flush=True)
    cursor.execute(
        "SELECT setval(pg_get_serial_sequence('issues_issue', 'id'), (SELECT max(id) FROM issues_issue))"
    )
    cursor.execute("ANALYZE")


def prepare(count: int, *, rebuild: bool) -> dict:
    name, server = _database()
    existing = None if rebuild else bench_issue_count(name, server)
    import django

    if existing == count:
        print(f"Reusing {name}: it already holds {count:,} bench issues.")
        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)  # the product's indexes as they are now
    else:
        print(f"Creating {name} with {count:,} issues …", flush=True)
        recreate_database(name, server)
        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        started = time.monotonic()
        units, categories, enterprise_ids, dispatcher, _handlers = build_reference(
            max(600, min(count // 50, 20_000)), max(40, count // ISSUES_PER_UNIT)
        )
        build_issues(
            count, units=units, categories=categories, enterprise_ids=enterprise_ids, dispatcher=dispatcher
        )
        print(f"  built in {time.monotonic() - started:.0f} s", flush=True)

    from django.db import connection

    from services.accounts.models import User
    from services.issues.models import IssueUnit, StageClock

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE issues_stageclock")
    usernames = {"dispatcher": "bench-dispatcher", "handler": "bench-handler-1", "busy": "bench-handler-0"}
    tokens = {role: api_token(username) for role, username in usernames.items()}
    unit_id = User.objects.get(username=usernames["handler"]).unit_id
    ids = list(
        IssueUnit.objects.filter(unit_id=unit_id).order_by("?").values_list("issue_id", flat=True)[:500]
    )
    running = {
        role: StageClock.objects.filter(
            unit__staff__username=usernames[role], met_at__isnull=True, stopped_at__isnull=True
        )
        .values("issue_id")
        .distinct()
        .count()
        for role in ("handler", "busy")
    }
    open_ids = list(
        StageClock.objects.filter(unit_id=unit_id, met_at__isnull=True, stopped_at__isnull=True)
        .order_by("issue_id")
        .values_list("issue_id", flat=True)
        .distinct()[:500]
    )
    add_histories([*ids, *open_ids])
    plans = {role: explain(usernames[role]) for role in ("handler", "busy")}
    sessions = {role: session_cookie(f"bench-handler-{n}") for role, n in (("handler", 1), ("busy", 0))}
    return {
        "tokens": tokens,
        "sessions": sessions,
        "detail_ids": ids,
        "open_ids": open_ids,
        "plans": plans,
        "running": running,
    }


def add_histories(issue_ids: list[int]) -> None:
    """The events of the issues whose pages are measured, from their own times (the COPY writes none):
    submitted, accepted, dispatched, signed for by the unit's handler, first contact, answered, rated."""
    from services.accounts.models import User
    from services.issues.models import Issue, IssueEvent, IssueUnit

    have = set(IssueEvent.objects.filter(issue_id__in=issue_ids).values_list("issue_id", flat=True))
    todo = Issue.objects.filter(pk__in=set(issue_ids) - have)
    parts = {part.issue_id: part for part in IssueUnit.objects.filter(issue__in=todo)}
    handlers = {user.unit_id: user for user in User.objects.filter(username__startswith="bench-handler-")}
    events = []
    for issue in todo:
        part = parts.get(issue.pk)
        handler = handlers.get(part.unit_id) if part else None
        office = (issue.filed_by_id, None)
        unit = (handler.pk, part.unit_id) if handler else None
        steps = [("submit", issue.created_at, "", "submitted", office, "")]
        if issue.status in ("rejected", "withdrawn"):
            kind = "reject" if issue.status == "rejected" else "withdraw"
            steps.append(
                (kind, issue.created_at + timedelta(hours=3), "submitted", issue.status, office, "测试")
            )
        else:
            steps += [
                ("accept", issue.accepted_at, "submitted", "accepted", office, ""),
                ("dispatch", issue.dispatched_at, "accepted", "dispatched", office, ""),
            ]
            if unit:
                steps += [
                    ("acknowledge", part.acknowledged_at, "dispatched", "handling", unit, ""),
                    ("record_contact", part.first_contact_at, "handling", "handling", unit, "已电话联系企业"),
                    ("respond", issue.responded_at, "handling", "responded", unit, "已协调解决，详见答复。"),
                    ("evaluate", issue.rated_at, "responded", "closed", office, "满意"),
                ]
        events += [
            IssueEvent(
                issue_id=issue.pk,
                kind=kind,
                actor_id=actor[0],
                actor_unit_id=actor[1],
                from_status=before,
                to_status=after,
                note=note,
                created_at=at,
            )
            for kind, at, before, after, actor, note in steps
            if at is not None
        ]
    IssueEvent.objects.bulk_create(events, batch_size=5000)


def api_token(username: str) -> str:
    """A token for the API's ``Authorization: Token …``: a fresh one from the product's token store."""
    from services.accounts.models import User

    user = User.objects.get(username=username)
    try:
        from services.accounts.tokens import issue_token  # hashed, expiring tokens (django-rest-knox)
    except ImportError:
        from rest_framework.authtoken.models import Token

        return Token.objects.get_or_create(user=user)[0].key
    return issue_token(user)[1]


def session_cookie(username: str) -> str:
    """A signed-in session for the pages, as the login page would leave it: ``sessionid=…``."""
    from django.conf import settings
    from django.test import Client

    from services.accounts.models import User

    client = Client()
    client.force_login(
        User.objects.get(username=username), backend="django.contrib.auth.backends.ModelBackend"
    )
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def page_queries(setup: dict) -> list[tuple[str, int, int]]:
    """SQL statements per page, in-process: a unit with ~100 open issues beside one with ~2,000, a closed
    problem beside an open one. Equal counts mean a page's queries do not grow with the rows behind it."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    def count(cookie: str, path: str) -> int:
        client = Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
        name, value = cookie.split("=", 1)
        client.cookies[name] = value
        client.get(path)  # the first request of a process reads settings, the calendar, …
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        return len(queries)

    sessions = setup["sessions"]
    closed = next(pk for pk in setup["detail_ids"] if pk not in set(setup["open_ids"]))
    return [
        (
            "inbox page: typical unit / busy unit",
            count(sessions["handler"], "/"),
            count(sessions["busy"], "/"),
        ),
        (
            "problem page: closed / open issue",
            count(sessions["handler"], f"/issues/{closed}/"),
            count(sessions["handler"], f"/issues/{setup['open_ids'][0]}/"),
        ),
    ]


def explain(username: str) -> str:
    """EXPLAIN ANALYZE of the two queries of an unfiltered second inbox page, as the handler's unit runs them."""
    from django.db import connection

    from services.accounts.models import User
    from services.core.api import CursorPage
    from services.issues.selectors import unit_inbox_keys, unit_inbox_keys_sql, visible_issues
    from services.issues.serializers import LIST_VALUES

    user = User.objects.get(username=username)
    size = CursorPage.page_size
    first = unit_inbox_keys(user, after=None, limit=size)
    after = (first[-1][1], first[-1][0]) if len(first) == size else None  # (due, issue id)
    keys = unit_inbox_keys(user, after=after, limit=size + 1)
    rows = visible_issues(user).filter(pk__in=[pk for pk, _due in keys]).order_by().values_list(*LIST_VALUES)
    plans = []
    for title, (sql, params) in (
        ("page keys", unit_inbox_keys_sql(user, after=after, limit=size + 1)),
        ("page rows", rows.query.sql_with_params()),
    ):
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            plans.append(f"-- {title}\n" + "\n".join(row[0] for row in cursor.fetchall()))
    return "\n".join(plans)


# ---------------------------------------------------------------- serving


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(port: int, workers: int) -> subprocess.Popen:
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings", "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [
            gunicorn,
            "jiangjin.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "--keep-alive",
            "30",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            conn = HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/schema/")
            conn.getresponse().read()
            return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    sys.exit("gunicorn did not start")


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


# ---------------------------------------------------------------- measuring


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def server_cpu_seconds(master_pid: int, database: str) -> tuple[dict[int, float], dict[int, float]]:
    """CPU used so far by the gunicorn workers and by the PostgreSQL backends serving the bench database."""
    import psycopg

    workers = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == master_pid:  # its parent
                workers.append(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    _name, server = _database()
    with psycopg.connect(**server) as conn:
        backends = [
            row[0]
            for row in conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [database]
            )
        ]
    return {pid: _cpu_seconds(pid) for pid in [master_pid, *workers]}, {
        pid: _cpu_seconds(pid) for pid in backends
    }


def _spent(before: dict[int, float], after: dict[int, float]) -> float:
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip()).groups()
    return float(value) * _UNITS[unit]


def check(port: int, label: str, paths: list[str], headers: dict) -> None:
    """Every path answers 200 before it is timed (wrk counts a redirect to the login page as a success).
    A page's first answer sets the CSRF cookie, which a browser sends back from then on: so does the load."""
    for path in paths[:3]:
        conn = HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            sys.exit(f"{label}: GET {path} answered {response.status}, not 200")
        csrf = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie") or "")
        if csrf and "Cookie" in headers and "csrftoken=" not in headers["Cookie"]:
            headers["Cookie"] += f"; csrftoken={csrf.group(1)}"


def measure_wrk(port: int, paths: list[str], headers: dict, duration: int, connections: int) -> dict:
    lines = [f'wrk.headers["{name}"] = "{value}"' for name, value in headers.items()]
    lines.append("local paths = {")
    lines += [f'  "{p}",' for p in paths]
    lines += [
        "}",
        "local i = 0",
        "request = function()",
        "  i = i % #paths + 1",
        '  return wrk.format("GET", paths[i])',
        "end",
    ]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write("\n".join(lines))
    try:
        run = subprocess.run(
            [
                "wrk",
                "-t",
                "2",
                "-c",
                str(connections),
                "-d",
                f"{duration}s",
                "--latency",
                "--timeout",
                "10s",
                "-s",
                script.name,
                f"http://127.0.0.1:{port}",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        os.unlink(script.name)
    out = run.stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1)),
        "p99": _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)),
        "errors": int(errors.group(1)) if errors else 0,
    }


def measure_python(port: int, paths: list[str], headers: dict, duration: int, connections: int) -> dict:
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + duration

    def worker(offset: int) -> None:
        conn = HTTPConnection("127.0.0.1", port, timeout=10)
        i = offset
        mine, bad = [], 0
        while time.monotonic() < stop_at:
            path = paths[i % len(paths)]
            i += 1
            t0 = time.perf_counter()
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            mine.append((time.perf_counter() - t0) * 1000)
            bad += response.status >= 300
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies.sort()
    return {
        "rps": len(latencies) / duration,
        "p50": statistics.median(latencies),
        "p99": latencies[int(len(latencies) * 0.99) - 1],
        "errors": errors[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--issues", type=int, default=1_000_000, help="issues to build (default 1,000,000)")
    parser.add_argument(
        "--duration", type=int, default=10, help="seconds per endpoint and round (default 10)"
    )
    parser.add_argument("--connections", type=int, default=8, help="concurrent connections (default 8)")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1), help="gunicorn workers")
    parser.add_argument(
        "--python-load", action="store_true", help="use the Python load loop even if wrk exists"
    )
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds per endpoint (default 3)")
    parser.add_argument("--rebuild", action="store_true", help="build the data again even if it is there")
    parser.add_argument(
        "--rows",
        choices=("all", "api", "pages"),
        default="all",
        help="what to measure beside the bare endpoint: the API, the pages, or both (default)",
    )
    args = parser.parse_args()

    setup = prepare(args.issues, rebuild=args.rebuild)
    tokens, sessions, ids = setup["tokens"], setup["sessions"], setup["detail_ids"]
    queries = page_queries(setup)

    # As behind a deployment's HTTPS proxy: with DEBUG off the product redirects plain HTTP.
    https = {"X-Forwarded-Proto": "https"}

    def api(role: str) -> dict:
        return {"Authorization": f"Token {tokens[role]}", **https}

    def page(role: str) -> dict:
        return {"Cookie": sessions[role], **https}

    bare = [("bare DRF, 25 rows", ["/bench/bare/"], api("handler"))]
    api_rows = [
        ("unit inbox (25, by due)", ["/api/v1/issues/inbox/"], api("handler")),
        ("busy unit inbox", ["/api/v1/issues/inbox/"], api("busy")),
        ("issue detail", [f"/api/v1/issues/{pk}/" for pk in ids], api("handler")),
        ("district list (25, newest)", ["/api/v1/issues/"], api("dispatcher")),
    ]
    page_rows = [
        ("inbox page (unit, 25)", ["/"], page("handler")),
        ("busy unit inbox page", ["/"], page("busy")),
        ("problem page", [f"/issues/{pk}/" for pk in ids], page("handler")),
        ("problem page, open issues", [f"/issues/{pk}/" for pk in setup["open_ids"]], page("handler")),
    ]
    endpoints = bare + {"all": api_rows + page_rows, "api": api_rows, "pages": page_rows}[args.rows]
    use_wrk = shutil.which("wrk") and not args.python_load
    measure = measure_wrk if use_wrk else measure_python
    port = free_port()
    server = start_gunicorn(port, args.workers)
    name, _server = _database()
    rounds: dict[str, list[dict]] = {label: [] for label, _paths, _headers in endpoints}
    try:
        for label, paths, headers in endpoints:
            check(port, label, paths, headers)
            measure(port, paths, headers, 3, args.connections)  # warm up workers, connections and caches
        # Interleaved rounds: a neighbour's load on a shared machine falls on every endpoint alike.
        for _round in range(args.rounds):
            for label, paths, headers in endpoints:
                web_before, db_before = server_cpu_seconds(server.pid, name)
                figures = measure(port, paths, headers, args.duration, args.connections)
                web_after, db_after = server_cpu_seconds(server.pid, name)
                served = max(1, figures["rps"] * args.duration)
                figures["web_ms"] = 1000 * _spent(web_before, web_after) / served
                figures["db_ms"] = 1000 * _spent(db_before, db_after) / served
                figures["cpu_ms"] = figures["web_ms"] + figures["db_ms"]
                rounds[label].append(figures)
    finally:
        stop(server)

    results = {
        label: {key: statistics.median(r[key] for r in runs) for key in runs[0]}
        for label, runs in rounds.items()
    }
    bare = results["bare DRF, 25 rows"]
    print()
    print(
        f"{args.issues:,} issues · gunicorn {args.workers} workers · {args.connections} connections · "
        f"{args.rounds} interleaved rounds of {args.duration} s · {'wrk' if use_wrk else 'Python load loop'} · "
        f"{os.cpu_count()} CPUs · medians over rounds"
    )
    print(
        f"{'endpoint':<28}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'ratio':>8}"
        f"{'CPU ms/req':>12}{'(web+db)':>13}{'CPU ratio':>11}{'errors':>8}"
    )
    for label, figures in results.items():
        print(
            f"{label:<28}{figures['rps']:>9.1f}{figures['p50']:>9.1f}{figures['p99']:>9.1f}"
            f"{figures['rps'] / bare['rps']:>8.2f}{figures['cpu_ms']:>12.2f}"
            f"{figures['web_ms']:>7.1f}+{figures['db_ms']:<5.1f}"
            f"{bare['cpu_ms'] / figures['cpu_ms']:>11.2f}{int(figures['errors']):>8}"
        )
    print(
        "CPU ms/req: gunicorn workers plus their PostgreSQL backends, per request; CPU ratio = bare ÷ endpoint "
        "(what req/s would be on an otherwise idle machine)."
    )
    print("\nSQL statements per request (in-process, after a first request):")
    for label, first, second in queries:
        print(f"  {label:<40}{first:>4} / {second}")
    print(
        f"\nissues with a running clock: typical unit {setup['running']['handler']:,}, "
        f"busy unit {setup['running']['busy']:,}"
    )
    for role, plan in setup["plans"].items():
        print(f"\nInbox query plan ({'typical' if role == 'handler' else 'busy'} unit):\n{plan}")


if __name__ == "__main__":
    main()
