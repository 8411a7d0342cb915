"""Reads for the reports API: annual targets, scoped to who may see them."""

from collections import defaultdict
from decimal import Decimal

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from services.accounts import roles
from services.accounts.models import Role, User
from services.reports.models import AnnualTarget

READERS = (Role.DISPATCHER, Role.LEADER, Role.ADMIN)


def reads_targets(actor: User) -> bool:
    return roles.reads_whole_district(actor)


def visible_targets(actor: User) -> QuerySet[AnnualTarget]:
    """Every target for the district-wide roles; nothing for anyone else."""
    if not reads_targets(actor):
        return AnnualTarget.objects.none()
    return AnnualTarget.objects.select_related("unit").order_by("-year", "figure", "unit_id", "pk")


def get_target_for(*, actor: User, target_id: int) -> AnnualTarget:
    return get_object_or_404(visible_targets(actor), pk=target_id)


def targets_of_year(year: int) -> dict[int | None, dict[str, Decimal]]:
    """``{unit_id or None for the district: {figure: value}}`` for one year, in one query."""
    table: dict[int | None, dict[str, Decimal]] = defaultdict(dict)
    for unit_id, figure, value in AnnualTarget.objects.filter(year=year).values_list(
        "unit_id", "figure", "value"
    ):
        table[unit_id][figure] = value
    return table
