"""How long each stage may take, from the policy, the urgency and the complexity of an issue.

Normal issues count Chinese working days (the workcalendar decides which days count); urgent ones count
hours on the clock, because an urgent problem does not wait for Monday.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from services.issues.models import Complexity, IssuePolicy, Stage, Urgency
from services.workcalendar.calendar import due_at


@dataclass(frozen=True)
class Limit:
    amount: int
    in_hours: bool

    def due_from(self, start: datetime) -> datetime:
        if self.in_hours:
            return start + timedelta(hours=self.amount)
        return due_at(start, self.amount)


def limit_for(policy: IssuePolicy, stage: str, *, urgency: str, complexity: str) -> Limit:
    if urgency in (Urgency.URGENT, Urgency.CRITICAL):
        prefix = "urgent" if urgency == Urgency.URGENT else "critical"
        hourly = {
            Stage.SIGN: f"{prefix}_sign_hours",
            Stage.FIRST_CONTACT: f"{prefix}_first_contact_hours",
            Stage.ANSWER: f"{prefix}_answer_hours",
        }.get(stage)
        if hourly:
            return Limit(getattr(policy, hourly), in_hours=True)
    days = {
        Stage.ACCEPT: policy.accept_days,
        Stage.SIGN: policy.sign_days,
        Stage.FIRST_CONTACT: policy.first_contact_days,
        Stage.ANSWER: policy.answer_days_complex
        if complexity == Complexity.COMPLEX
        else policy.answer_days_normal,
        Stage.CO_INPUT: policy.co_input_days,
        Stage.RATING: policy.rating_window_days,
    }[stage]
    return Limit(days, in_hours=False)
