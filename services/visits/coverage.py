"""On-site coverage (遍访率): enterprises in scope with at least one on-site visit in a period ÷ enterprises
in scope. Chongqing's specialist scheme asks for one on-site visit per enterprise per quarter."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Case, Count, Exists, F, FloatField, OuterRef, Q, QuerySet, When
from django.db.models.functions import Cast
from django.utils import timezone

from services.accounts.models import User
from services.core import clock
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

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def quarter_number(self) -> int | None:
        """1 to 4 when the period is a calendar quarter, else None."""
        number = (self.start.month + 2) // 3
        return number if self == Period.quarter(self.start.year, number) else None


def quarter_of(day: date) -> Period:
    return Period.quarter(day.year, (day.month + 2) // 3)


def current_quarter(moment: datetime | None = None) -> Period:
    """The quarter of ``moment`` (now by default) as it is in Jiangjin, whatever the server's clock zone."""
    local = timezone.localtime(moment or clock.now(), ZoneInfo(settings.TIME_ZONE))
    return quarter_of(local.date())


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


def visited_on_site(period: Period):
    """For an enterprise queryset: ``Exists`` an on-site visit to it during the period."""
    return Exists(on_site_visits(period).filter(enterprise_id=OuterRef("pk")))


@dataclass(frozen=True)
class SpecialistQuarter:
    """A specialist's own coverage: the enterprises they serve now, and which had an on-site visit."""

    period: Period
    enterprises: list[Enterprise]  # each with ``visited`` (bool)

    @property
    def total(self) -> int:
        return len(self.enterprises)

    @property
    def visited(self) -> int:
        return sum(1 for enterprise in self.enterprises if enterprise.visited)

    @property
    def left(self) -> list[Enterprise]:
        return [enterprise for enterprise in self.enterprises if not enterprise.visited]

    @property
    def rate(self) -> float | None:
        return self.visited / self.total if self.total else None


def specialist_quarter(specialist: User, period: Period) -> SpecialistQuarter:
    """The enterprises the specialist serves today (in business), each marked visited on site or not."""
    enterprises = (
        Enterprise.objects.filter(
            assignments__specialist=specialist, assignments__ended_on__isnull=True, is_active=True
        )
        .select_related("town", "park")
        .annotate(visited=visited_on_site(period))
        .order_by("visited", "name", "pk")
    )
    return SpecialistQuarter(period=period, enterprises=list(enterprises))


def specialists_behind_first(period: Period) -> QuerySet[User]:
    """Every specialist's coverage in the period, the lowest rate first (then the most left to visit)."""
    rate = Case(
        When(enterprises=0, then=None),
        default=Cast(F("visited"), FloatField()) / Cast(F("enterprises"), FloatField()),
        output_field=FloatField(),
    )
    return (
        coverage_by_specialist(period)
        .annotate(rate=rate, left=F("enterprises") - F("visited"))
        .order_by(F("rate").asc(nulls_last=True), "-left", "username")
    )
