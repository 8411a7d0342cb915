from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from services.accounts.models import Role, User
from services.core import clock
from services.core.errors import InvalidInput, NotPermitted
from services.core.text import clean_text
from services.enterprises.models import Enterprise
from services.enterprises.selectors import current_specialist_id
from services.issues.actions import file_issue
from services.issues.models import Category, Complexity, Urgency
from services.visits.models import Method, Visit

# The specialist scheme began long after this; an earlier date is a typing error.
EARLIEST_VISIT = datetime(2000, 1, 1, tzinfo=timezone.get_default_timezone())
SNAPSHOT_FIELDS = (
    "orders",
    "labour",
    "energy",
    "funds",
    "production_sales",
    "policies_explained",
    "suggestions",
)


@dataclass(frozen=True)
class FoundProblem:
    """A problem found on a visit; it becomes an issue in the platform, linked to the visit."""

    category: Category
    title: str
    description: str
    urgency: str = Urgency.NORMAL
    complexity: str = Complexity.NORMAL


def log_visit(
    *,
    actor: User,
    enterprise: Enterprise,
    visited_at: datetime,
    method: str = Method.ON_SITE,
    people_met: str = "",
    companions: list[User] | tuple = (),
    problems: list[FoundProblem] | tuple = (),
    **snapshot: str,
) -> Visit:
    """The serving specialist records a visit and the problems found, all or nothing."""
    if (
        not actor.is_active
        or actor.role != Role.SPECIALIST
        or current_specialist_id(enterprise.pk) != actor.pk
    ):
        raise NotPermitted(_("只有该企业的包联服务专员可以录入走访记录。"))
    if method not in Method.values:
        raise InvalidInput({"method": [_("走访方式无效。")]})
    if timezone.is_naive(visited_at):
        raise InvalidInput({"visited_at": [_("走访时间须包含时区。")]})
    if visited_at > clock.now() + timedelta(minutes=5):
        raise InvalidInput({"visited_at": [_("走访时间不能晚于现在。")]})
    if visited_at < EARLIEST_VISIT:
        raise InvalidInput({"visited_at": [_("走访时间不能早于2000年。")]})
    unknown = set(snapshot) - set(SNAPSHOT_FIELDS)
    if unknown:
        raise TypeError(f"unknown visit fields: {sorted(unknown)}")
    cleaned = {
        name: clean_text(
            snapshot.get(name, ""),
            field=name,
            label=str(Visit._meta.get_field(name).verbose_name),
            max_length=5000,
            required=False,
        )
        for name in SNAPSHOT_FIELDS
    }
    people_met = clean_text(
        people_met, field="people_met", label=_("接待人员"), max_length=200, required=False
    )
    with transaction.atomic():
        visit = Visit.objects.create(
            enterprise=enterprise,
            specialist=actor,
            visited_at=visited_at,
            method=method,
            people_met=people_met,
            **cleaned,
        )
        if companions:
            visit.companions.set(companions)
        for problem in problems:
            file_issue(
                actor=actor,
                enterprise=enterprise,
                category=problem.category,
                title=problem.title,
                description=problem.description,
                urgency=problem.urgency,
                complexity=problem.complexity,
                visit=visit,
            )
    return visit
