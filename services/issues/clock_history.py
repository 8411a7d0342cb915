"""Every clock rebuilt from the history alone (DESIGN §2: deadlines can be rebuilt from the events).

The events that start a clock carry it under ``data["clocks"]`` (stage, unit, the limit in force and the due
time it set); an approved extension and a calendar correction carry the clock and the due time they set.
Replaying them in order gives each clock's start, limit, original and current due time, which
``rebuild_clocks --check`` compares with the clock rows.

Clocks of problems whose history predates these records are counted apart as "not in the history", never
guessed from today's settings.
"""

import datetime as dt
from dataclasses import dataclass, field

from services.issues.models import IssueEvent, StageClock

FIELDS = (
    "issue_id",
    "stage",
    "unit_id",
    "started_at",
    "counts_hours",
    "limit_amount",
    "original_due_at",
    "due_at",
)


@dataclass
class Rebuilt:
    issue_id: int
    stage: str
    unit_id: int | None
    started_at: dt.datetime
    counts_hours: bool
    limit_amount: int | None
    original_due_at: dt.datetime
    due_at: dt.datetime


@dataclass
class Report:
    checked: int = 0
    not_in_history: int = 0
    differences: list[tuple[int, str, object, object]] = field(default_factory=list)


def _moment(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value)


def replay(events) -> dict[int, Rebuilt]:
    """The clocks as the events describe them, by clock id."""
    clocks: dict[int, Rebuilt] = {}
    for event in events:
        data = event.data if isinstance(event.data, dict) else {}
        for entry in data.get("clocks", ()):
            due = _moment(entry["due_at"])
            clocks[entry["clock"]] = Rebuilt(
                issue_id=event.issue_id,
                stage=entry["stage"],
                unit_id=entry["unit_id"],
                started_at=event.created_at,
                counts_hours=entry["limit_unit"] == "hours",
                limit_amount=entry["limit"],
                original_due_at=due,
                due_at=due,
            )
        if event.kind == "decide_extension" and data.get("approved") and data.get("clock") in clocks:
            clocks[data["clock"]].due_at = _moment(data["new_due_at"])
        if event.kind == "calendar_correction" and data.get("clock") in clocks:
            rebuilt = clocks[data["clock"]]
            rebuilt.due_at = _moment(data["due_at"])
            rebuilt.original_due_at = _moment(data["original_due_at"])
    return clocks


def check(*, batch: int = 2000) -> Report:
    """Compare every clock with its rebuild from the events, a batch of problems at a time."""
    report = Report()
    issue_ids = list(StageClock.objects.order_by().values_list("issue_id", flat=True).distinct())
    issue_ids.sort()
    for start in range(0, len(issue_ids), batch):
        ids = issue_ids[start : start + batch]
        events = (
            IssueEvent.objects.filter(issue_id__in=ids)
            .order_by("created_at", "pk")
            .only("issue_id", "kind", "data", "created_at")
        )
        rebuilt = replay(events.iterator(chunk_size=5000))
        for stage_clock in StageClock.objects.filter(issue_id__in=ids).order_by("pk"):
            report.checked += 1
            expected = rebuilt.get(stage_clock.pk)
            if expected is None:
                report.not_in_history += 1
                continue
            for name in FIELDS:
                want, have = getattr(expected, name), getattr(stage_clock, name)
                if want != have:
                    report.differences.append((stage_clock.pk, name, want, have))
    return report
