"""A real Celery worker, on Redis, delivers what an action scheduled after its commit."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection

from jiangjin.celery import app as celery_app
from services.issues.models import IssueEvent
from services.notifications.models import Notification
from tests.factories import issues as make

ROOT = Path(__file__).resolve().parents[2]


def redis_url() -> str:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        pytest.fail("REDIS_URL is not set: the worker tests need Redis (make test sets it).", pytrace=False)
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        pytest.fail(f"Redis at {url} does not answer: {error}", pytrace=False)
    return url


@pytest.fixture
def worker(transactional_db):
    url = redis_url()
    redis.Redis.from_url(url).flushdb()
    database = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "jiangjin.settings.test",
        "REDIS_URL": url,
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
    }
    process = subprocess.Popen(
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
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    previous = (celery_app.conf.task_always_eager, celery_app.conf.broker_url)
    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_url = url
    try:
        yield process
    finally:
        celery_app.conf.task_always_eager, celery_app.conf.broker_url = previous
        process.terminate()
        output, _ = process.communicate(timeout=30)
        if process.returncode not in (0, -15):
            print(output.decode(errors="replace"))


def wait_for(predicate, *, seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.postgres
def test_a_filed_issue_reaches_the_dispatchers_inbox_through_a_real_worker(
    worker, enterprise_user, dispatcher, category
):
    assert settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    issue = make.filed(enterprise_user=enterprise_user, category=category)

    assert wait_for(lambda: Notification.objects.filter(recipient=dispatcher).exists()), (
        "worker delivered nothing"
    )
    notification = Notification.objects.get(recipient=dispatcher)
    assert issue.number in notification.title
    assert wait_for(lambda: not IssueEvent.objects.filter(issue=issue, notified_at__isnull=True).exists())
    assert Notification.objects.filter(recipient=dispatcher).count() == 1
