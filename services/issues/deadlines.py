"""How long each stage may take, from the policy, the urgency and the complexity of an issue.

Normal issues count Chinese working days (the workcalendar decides which days count); urgent and critical
ones count hours on the clock for every stage, because an urgent problem does not wait for Monday.

A due time counted across a year whose holidays nobody has entered yet (the Monday–Friday fallback) is
provisional: ``Deadline.fallback`` says so, the clock keeps it (``StageClock.due_from_fallback``), and
``recount_running_clocks`` moves such clocks, by an event, when the year is entered.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from services.issues.models import Complexity, IssuePolicy, Stage, StageClock, Urgency
from services.workcalendar.calendar import SHANGHAI, due_at, uncovered_years

HOURLY = {Urgency.URGENT: "urgent", Urgency.CRITICAL: "critical"}


@dataclass(frozen=True)
class Deadline:
    due_at: datetime
    fallback: bool


@dataclass(frozen=True)
class Limit:
    amount: int
    in_hours: bool

    def due_from(self, start: datetime) -> datetime:
        return self.deadline_from(start).due_at

    def deadline_from(self, start: datetime) -> Deadline:
        if self.in_hours:
            return Deadline(start + timedelta(hours=self.amount), fallback=False)
        return working_days_after(start, self.amount)

    def as_data(self) -> dict:
        return {"limit": self.amount, "limit_unit": "hours" if self.in_hours else "working_days"}


def working_days_after(start: datetime, days: int) -> Deadline:
    """``days`` working days after ``start``, and whether a Monday–Friday year was assumed on the way."""
    due = due_at(start, days)
    first = start.astimezone(SHANGHAI).date()
    return Deadline(due, fallback=bool(uncovered_years(first, due.astimezone(SHANGHAI).date())))


def limit_for(policy: IssuePolicy, stage: str, *, urgency: str, complexity: str) -> Limit:
    prefix = HOURLY.get(urgency)
    if prefix:
        return Limit(getattr(policy, f"{prefix}_{stage}_hours"), in_hours=True)
    days = {
        Stage.ACCEPT: policy.accept_days,
        Stage.DISPATCH: policy.dispatch_days,
        Stage.REDISPATCH: policy.redispatch_days,
        Stage.REVIEW: policy.review_days,
        Stage.SIGN: policy.sign_days,
        Stage.FIRST_CONTACT: policy.first_contact_days,
        Stage.ANSWER: policy.answer_days_complex
        if complexity == Complexity.COMPLEX
        else policy.answer_days_normal,
        Stage.CO_INPUT: policy.co_input_days,
        Stage.RATING: policy.rating_window_days,
    }[stage]
    return Limit(days, in_hours=False)


def clock_data(stage_clock: StageClock) -> dict:
    """What an event that starts or moves a clock records, so the clock can be rebuilt from the history."""
    return {
        "clock": stage_clock.pk,
        "stage": stage_clock.stage,
        "unit_id": stage_clock.unit_id,
        "limit": stage_clock.limit_amount,
        "limit_unit": "hours" if stage_clock.counts_hours else "working_days",
        "due_at": timezone.localtime(stage_clock.due_at).isoformat(),
        "fallback": stage_clock.due_from_fallback,
    }
