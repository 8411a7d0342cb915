"""The demo's Celery worker shares one SQLite file with the web server: it must never fail on a lock.

The demo once logged dozens of ``OperationalError('database is locked')`` in its first minutes. SQLite now runs
in WAL mode with IMMEDIATE transactions and a busy timeout; this test starts the demo's real worker (with its
embedded beat) on a fresh demo database, lets it work through the startup backlog, and reads its log.
"""

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
WATCH_SECONDS = 240
STARTUP_TASKS = ("issues.sweep_clocks", "issues.notify_pending_events", "notifications.send_due_deliveries")


def _demo_env(var_dir: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "CACHE_URL", "DJANGO_DEBUG"}
    }
    env.update(JIANGJIN_DEMO="1", JIANGJIN_VAR_DIR=str(var_dir), PYTHONUNBUFFERED="1")
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


def _manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, timeout=1200
    )


@pytest.fixture(scope="module")
def demo_var(tmp_path_factory) -> Path:
    var_dir = tmp_path_factory.mktemp("demo-var")
    for folder in ("broker/queue", "broker/processed", "log", "media"):
        (var_dir / folder).mkdir(parents=True, exist_ok=True)
    env = _demo_env(var_dir)
    _manage(env, "migrate", "--noinput", "-v", "0")
    _manage(env, "load_reference")
    _manage(env, "build_demo")
    return var_dir


def test_the_demo_database_uses_write_ahead_logging(demo_var):
    with sqlite3.connect(demo_var / "jiangjin.sqlite3") as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_the_demo_worker_runs_its_startup_backlog_without_a_failed_task(demo_var):
    env = _demo_env(demo_var)
    log_path = demo_var / "log" / "worker.log"
    with log_path.open("wb") as log:
        worker = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("celery")),
                "-A",
                "jiangjin",
                "worker",
                "-B",
                "-s",
                str(demo_var / "celerybeat-schedule"),
                "--loglevel=info",
                "--concurrency=2",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        # Two pool processes and beat write at once, working through the backlog the demo left queued (its
        # notifications) and the sweeps beat starts with. A bounded look: the backlog is long.
        deadline = time.monotonic() + WATCH_SECONDS
        while time.monotonic() < deadline:
            text = log_path.read_text(errors="replace")
            if (
                all(f"Sending due task {name}" in text for name in STARTUP_TASKS)
                and text.count(" succeeded in ") >= 200
            ):
                break
            time.sleep(1)
    finally:
        worker.send_signal(signal.SIGTERM)  # the main process: a warm shutdown that finishes the task in hand
        with contextlib.suppress(subprocess.TimeoutExpired):
            worker.wait(timeout=60)
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()

    text = log_path.read_text(errors="replace")
    for name in STARTUP_TASKS:
        assert f"Sending due task {name}" in text, f"beat never sent {name}:\n{text[-3000:]}"
    assert text.count(" succeeded in ") >= 200, text[-3000:]
    assert "database is locked" not in text, text[-3000:]
    assert " raised unexpected" not in text, text[-3000:]
    assert "OperationalError" not in text, text[-3000:]
