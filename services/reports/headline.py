"""The report's own sentence, computed from the data:
"N名专员对M家规上工业企业进行实地走访……平台录入问题超过K件，办结率X%"."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q

from services.issues.lifecycle import Status
from services.issues.models import Issue
from services.visits.coverage import Period, on_site_visits

# Statuses that mean the platform did not take the problem on: they are not counted as accepted.
NOT_ACCEPTED = (Status.SUBMITTED, Status.REJECTED, Status.WITHDRAWN, Status.MERGED)


@dataclass(frozen=True)
class Headline:
    year: int
    specialists: int
    enterprises_visited: int
    issues_logged: int
    accepted: int
    closed: int

    @property
    def closure_rate(self) -> Decimal | None:
        if not self.accepted:
            return None
        return (Decimal(self.closed) / Decimal(self.accepted)).quantize(Decimal("0.0001"))

    @property
    def issues_floor(self) -> int:
        """The round figure the report says it is "more than" (超过): the next multiple of 50 below."""
        return max((self.issues_logged - 1) // 50 * 50, 0)

    def sentence(self) -> str:
        rate = "—" if self.closure_rate is None else f"{(self.closure_rate * 100).normalize():f}%"
        logged = (
            f"平台录入问题超过{self.issues_floor}件"
            if self.issues_floor >= 50
            else f"平台录入问题{self.issues_logged}件"
        )
        return (
            f"{self.specialists}名专员对{self.enterprises_visited}家规上工业企业进行实地走访，"
            f"{logged}，办结率{rate}"
        )


def headline(year: int) -> Headline:
    visits = on_site_visits(Period.year(year)).filter(enterprise__is_above_scale=True)
    visited = visits.aggregate(
        specialists=Count("specialist", distinct=True), enterprises=Count("enterprise", distinct=True)
    )
    start, end = Period.year(year).bounds()
    issues = Issue.objects.filter(created_at__gte=start, created_at__lt=end).aggregate(
        logged=Count("pk", filter=~Q(status=Status.MERGED)),
        accepted=Count("pk", filter=~Q(status__in=NOT_ACCEPTED)),
        closed=Count("pk", filter=Q(status=Status.CLOSED)),
    )
    return Headline(
        year=year,
        specialists=visited["specialists"],
        enterprises_visited=visited["enterprises"],
        issues_logged=issues["logged"],
        accepted=issues["accepted"],
        closed=issues["closed"],
    )
