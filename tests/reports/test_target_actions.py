"""Administrators set annual targets through one action that records who changed what, from what, to what."""

from decimal import Decimal

import pytest

from services.core.errors import InvalidInput, NotPermitted
from services.reports.actions import change_target, delete_target, set_target
from services.reports.models import AnnualTarget, Figure, TargetChange

pytestmark = pytest.mark.django_db


def test_setting_a_new_target_creates_it_and_records_who_set_it(administrator):
    target = set_target(
        actor=administrator, year=2026, figure=Figure.CLOSURE_RATE, unit=None, value="0.98", note="区目标"
    )

    change = TargetChange.objects.get()
    assert (target.value, target.note) == (Decimal("0.98"), "区目标")
    assert (change.kind, change.actor, change.old_value, change.new_value) == (
        TargetChange.Kind.CREATED,
        administrator,
        None,
        Decimal("0.98"),
    )


def test_setting_it_again_changes_it_and_records_from_and_to(administrator, unit):
    set_target(actor=administrator, year=2026, figure=Figure.VISITS, unit=unit, value=100)

    set_target(actor=administrator, year=2026, figure=Figure.VISITS, unit=unit, value=120, note="加密走访")

    assert AnnualTarget.objects.get().value == 120
    change = TargetChange.objects.filter(kind=TargetChange.Kind.CHANGED).get()
    assert (change.unit, change.old_value, change.new_value, change.new_note) == (
        unit,
        Decimal("100"),
        Decimal("120"),
        "加密走访",
    )


def test_setting_the_same_value_again_records_nothing(administrator):
    set_target(actor=administrator, year=2026, figure=Figure.VISITS, unit=None, value=100)
    set_target(actor=administrator, year=2026, figure=Figure.VISITS, unit=None, value="100.0000")

    assert TargetChange.objects.count() == 1


def test_a_rate_above_one_is_refused_and_nothing_is_written(administrator):
    with pytest.raises(InvalidInput, match="0到1之间") as refusal:
        set_target(actor=administrator, year=2026, figure=Figure.SATISFACTION_RATE, unit=None, value="95")

    assert "value" in refusal.value.errors
    assert not AnnualTarget.objects.exists() and not TargetChange.objects.exists()


@pytest.mark.parametrize("value", ["九十", "-1", "1.5", "NaN"])
def test_a_count_target_must_be_a_whole_non_negative_number(administrator, value):
    with pytest.raises(InvalidInput):
        set_target(actor=administrator, year=2026, figure=Figure.VISITS, unit=None, value=value)

    assert not AnnualTarget.objects.exists()


def test_a_leader_cannot_set_a_target(leader):
    with pytest.raises(NotPermitted):
        set_target(actor=leader, year=2026, figure=Figure.VISITS, unit=None, value=100)

    assert not TargetChange.objects.exists()


def test_changing_and_deleting_are_recorded_too(administrator):
    target = set_target(actor=administrator, year=2026, figure=Figure.VISITS, unit=None, value=100)

    change_target(actor=administrator, target=target, value=Decimal("90"))
    delete_target(actor=administrator, target=target)

    kinds = list(TargetChange.objects.order_by("pk").values_list("kind", "old_value", "new_value"))
    assert kinds == [
        (TargetChange.Kind.CREATED, None, Decimal("100")),
        (TargetChange.Kind.CHANGED, Decimal("100"), Decimal("90")),
        (TargetChange.Kind.DELETED, Decimal("90"), None),
    ]
    assert not AnnualTarget.objects.exists()
