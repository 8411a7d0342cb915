"""Helpers shared by the issue tests: times in Shanghai, and a snapshot of everything an action may write."""

import os
from datetime import datetime
from zoneinfo import ZoneInfo

from django.core.files.storage import storages

from services.issues.models import (
    ExtensionRequest,
    Issue,
    IssueAttachment,
    IssueEvent,
    IssueNumberSequence,
    IssueUnit,
    StageClock,
)
from services.notifications.models import Notification
from services.visits.models import Visit

SHANGHAI = ZoneInfo("Asia/Shanghai")


def shanghai(year: int, month: int, day: int, hour: int = 9, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=SHANGHAI)


def end_of(year: int, month: int, day: int) -> datetime:
    """23:59:59 Asia/Shanghai on that day: when a deadline counted in working days falls due."""
    return shanghai(year, month, day, 23, 59, 59)


def database_state() -> dict:
    return {
        "issues": list(Issue.objects.order_by("pk").values()),
        "events": list(IssueEvent.objects.order_by("pk").values()),
        "clocks": list(StageClock.objects.order_by("pk").values()),
        "unit_parts": list(IssueUnit.objects.order_by("pk").values()),
        "extensions": list(ExtensionRequest.objects.order_by("pk").values()),
        "sequences": list(IssueNumberSequence.objects.order_by("pk").values()),
        "visits": list(Visit.objects.order_by("pk").values()),
        "notifications": Notification.objects.count(),
        "attachments": list(IssueAttachment.objects.order_by("pk").values()),
        "stored_files": stored_attachment_files(),
    }


def stored_attachment_files() -> list[str]:
    """Every file in the attachments storage (a folder of the test run's own)."""
    root = storages["attachments"].location
    return sorted(
        os.path.relpath(os.path.join(folder, name), root)
        for folder, _dirs, names in os.walk(root)
        for name in names
    )


def clocks_of(issue: Issue, **filters) -> list[StageClock]:
    return list(StageClock.objects.filter(issue=issue, **filters).order_by("started_at", "pk"))


def running_clock(issue: Issue, stage: str, unit=None) -> StageClock:
    return StageClock.objects.get(
        issue=issue, stage=stage, unit=unit, met_at__isnull=True, stopped_at__isnull=True
    )


def event_kinds(issue: Issue) -> list[str]:
    return list(
        IssueEvent.objects.filter(issue=issue).order_by("created_at", "pk").values_list("kind", flat=True)
    )
