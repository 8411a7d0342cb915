"""On-site coverage (遍访率): enterprises in scope with at least one on-site visit in a period ÷ enterprises
in scope. Chongqing's specialist scheme asks for one on-site visit per enterprise per quarter."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from services.accounts.models import User
from services.enterprises.models import Enterprise
from services.visits.models import Method, Visit


@dataclass(frozen=True)
class Period:
    start: date  # inclusive
    end: date  # exclusive

    @classmethod
    def year(cls, year: int) -> "Period":
        return cls(date(year, 1, 1), date(year + 1, 1, 1))

    @classmethod
    def quarter(cls, year: int, quarter: int) -> "Period":
        if quarter not in (1, 2, 3, 4):
            raise ValueError("quarter must be 1 to 4")
        start = date(year, 3 * quarter - 2, 1)
        end = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
        return cls(start, end)

    def bounds(self) -> tuple[datetime, datetime]:
        zone = ZoneInfo(settings.TIME_ZONE)
        return datetime.combine(self.start, time.min, zone), datetime.combine(self.end, time.min, zone)

    @property
    def days(self) -> int:
        return (self.end - self.start) // timedelta(days=1)


@dataclass(frozen=True)
class Coverage:
    visited: int
    in_scope: int

    @property
    def rate(self) -> float | None:
        return self.visited / self.in_scope if self.in_scope else None


def default_scope() -> QuerySet[Enterprise]:
    return Enterprise.objects.filter(is_above_scale=True, is_active=True)


def on_site_visits(period: Period) -> QuerySet[Visit]:
    start, end = period.bounds()
    return Visit.objects.filter(method=Method.ON_SITE, visited_at__gte=start, visited_at__lt=end)


def coverage(period: Period, scope: QuerySet[Enterprise] | None = None) -> Coverage:
    scope = default_scope() if scope is None else scope
    visited = on_site_visits(period).filter(enterprise_id=OuterRef("pk"))
    figures = scope.aggregate(in_scope=Count("pk"), visited=Count("pk", filter=Q(Exists(visited))))
    return Coverage(visited=figures["visited"], in_scope=figures["in_scope"])


def unvisited(period: Period, scope: QuerySet[Enterprise] | None = None) -> QuerySet[Enterprise]:
    scope = default_scope() if scope is None else scope
    return scope.exclude(Exists(on_site_visits(period).filter(enterprise_id=OuterRef("pk"))))


def coverage_by_specialist(period: Period) -> QuerySet[User]:
    """Each specialist's enterprises during the period and how many of them had an on-site visit in it.

    Assignments are taken as they stood in the period, so a later handover does not change a closed
    quarter's figures."""
    visited = on_site_visits(period).filter(enterprise_id=OuterRef("assignments__enterprise_id"))
    current = Q(assignments__started_on__lt=period.end) & (
        Q(assignments__ended_on__isnull=True) | Q(assignments__ended_on__gt=period.start)
    )
    return (
        User.objects.filter(role="specialist", is_active=True)
        .annotate(
            enterprises=Count("assignments", filter=current),
            visited=Count("assignments", filter=current & Q(Exists(visited))),
        )
        .order_by("username")
    )
