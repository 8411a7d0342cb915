"""Real Celery workers, real Redis servers and the broker switch the integration tests share.

The tests run a worker as its own process (``celery -A jiangjin worker``) against the pytest database, so
they need ``transactional_db``: the worker only sees committed rows. Fault tests start a private
``redis-server`` on a free port and stop it at will; the machine's shared Redis is never touched.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis
from django.db import connection

from jiangjin.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]
# The worker runs the test settings with tasks going through the broker, as in production.
WORKER_SETTINGS = "tests.integration.worker_settings"


def wait_for(predicate: Callable[[], object], *, seconds: float = 30.0, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return bool(predicate())


def shared_redis_url() -> str:
    """The machine's Redis from REDIS_URL, emptied; a missing or silent Redis fails the test, never skips."""
    url = os.environ.get("REDIS_URL", "")
    if not url:
        pytest.fail("REDIS_URL is not set: the worker tests need Redis (make test sets it).", pytrace=False)
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=2)
        client.ping()
        client.flushdb()
    except redis.RedisError as error:
        pytest.fail(f"Redis at {url} does not answer: {error}", pytrace=False)
    return url


def require_postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.fail("The worker tests need PostgreSQL (DATABASE_URL=postgres://…).", pytrace=False)


def database_url() -> str:
    """The pytest database, as the worker process must reach it."""
    require_postgres()
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    """A private ``redis-server`` on a free port, that a test may stop and start again on the same port."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.directory = directory
        self.process: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> "RedisServer":
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            cwd=self.directory,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)
        if not wait_for(lambda: self._answers(client), seconds=10, interval=0.05):
            self.stop()
            pytest.fail(f"redis-server did not start on port {self.port}", pytrace=False)
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    @staticmethod
    def _answers(client: redis.Redis) -> bool:
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False


def start_redis_server(directory: Path) -> RedisServer:
    try:
        subprocess.run(["redis-server", "--version"], check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError) as error:
        pytest.fail(
            f"redis-server is not installed: the fault tests start their own ({error})", pytrace=False
        )
    return RedisServer(directory).start()


class Worker:
    """``celery -A jiangjin worker`` in its own process (solo pool: the task runs in the process we kill)."""

    def __init__(self, *, broker_url: str, log: Path, name: str) -> None:
        self.log = log
        self.name = name
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": WORKER_SETTINGS,
            "REDIS_URL": broker_url,
            "DATABASE_URL": database_url(),
            "DATABASE_CONN_MAX_AGE": "0",
        }
        with log.open("ab") as output:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "jiangjin",
                    "worker",
                    "--pool=solo",
                    "--concurrency=1",
                    "--without-heartbeat",
                    "--without-gossip",
                    "--without-mingle",
                    f"--hostname={name}@%h",
                    "--loglevel=INFO",
                ],
                cwd=ROOT,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def wait_ready(self, seconds: float = 30.0) -> None:
        if not wait_for(
            lambda: " ready." in self.output() or self.process.poll() is not None, seconds=seconds
        ):
            pytest.fail(f"worker {self.name} did not start:\n{self.output()}", pytrace=False)
        if self.process.poll() is not None:
            pytest.fail(f"worker {self.name} exited at start:\n{self.output()}", pytrace=False)

    def kill(self) -> None:
        """SIGKILL: no warm shutdown, no acknowledgement, an open transaction left to the database."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
        if self.process.returncode not in (0, -signal.SIGTERM, -signal.SIGKILL):
            print(f"worker {self.name} exited with {self.process.returncode}:\n{self.output()}")


@contextmanager
def workers(directory: Path, broker_url: str) -> Iterator[Callable[..., Worker]]:
    """Start workers with ``start()``; every one still running is stopped on the way out."""
    started: list[Worker] = []

    def start(*, ready: bool = True) -> Worker:
        worker = Worker(
            broker_url=broker_url, log=directory / f"worker{len(started)}.log", name=f"w{len(started)}"
        )
        started.append(worker)
        if ready:
            worker.wait_ready()
        return worker

    try:
        yield start
    finally:
        for worker in started:
            worker.stop()


def _drop_broker_connections() -> None:
    """Forget the app's pools, so the next message goes to the broker now configured (kombu keeps one pool
    per broker URL; closing it would close it for whoever uses that URL next)."""
    celery_app._pool = None
    amqp = celery_app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


@contextmanager
def broker(url: str) -> Iterator[None]:
    """This process sends its tasks to ``url`` instead of running them in place (the test settings' default)."""
    previous = (celery_app.conf.task_always_eager, celery_app.conf.broker_url)
    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_url = url
    _drop_broker_connections()
    try:
        yield
    finally:
        celery_app.conf.task_always_eager, celery_app.conf.broker_url = previous
        _drop_broker_connections()


def send(task_name: str, **kwargs) -> None:
    """A task by name through the broker, as beat sends it; retried briefly, since the test means it."""
    celery_app.send_task(
        task_name,
        kwargs=kwargs,
        retry=True,
        retry_policy={"max_retries": 5, "interval_start": 0.2, "interval_step": 0.2},
    )


def other_backends() -> list[int]:
    """Process ids of the other sessions on the test database that are working or hold a transaction (a
    killed worker's, until the server notices it is gone). Idle sessions, such as a live server's kept by the
    browser tests earlier in the run, hold nothing and do not count."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # else a transaction sees its first reading
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND state <> 'idle'"
        )
        return [pid for (pid,) in cursor.fetchall()]


def backends_waiting_for_a_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]
