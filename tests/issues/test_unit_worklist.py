"""The unit's inbox page reads its usual (unfiltered) page with one written-out statement; these hold it to the
ORM worklist it replaces, row for row, and its counts to what each row says."""

from datetime import timedelta

import pytest

from services.core import clock
from services.issues import worklists
from tests.factories import CategoryFactory, EnterpriseFactory, EnterpriseUserFactory
from tests.factories import issues as make

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy_unit(enterprise_user, dispatcher, handler, category, other_unit):
    """Problems of the handler's unit with tied due times, one it is handling, one answered (out of the
    inbox), one of another unit, and Chinese text with markup and emoji in the row's columns."""
    marked = EnterpriseUserFactory(enterprise=EnterpriseFactory(name="重庆市江津区<b>德感</b>粮油🌾有限公司"))
    child = CategoryFactory(name="电力增容（含双回路）", parent=category.parent)
    for hours, user, kind in (
        (30, enterprise_user, category),
        (5, marked, child),
        (5, enterprise_user, category),
        (50, marked, category),
        (5, enterprise_user, child),
    ):
        with clock.travel_to(clock.now() - timedelta(hours=hours)):
            make.dispatched(dispatcher=dispatcher, unit=handler.unit, enterprise_user=user, category=kind)
    make.handling(dispatcher=dispatcher, handler=handler, enterprise_user=enterprise_user, category=category)
    make.responded(dispatcher=dispatcher, handler=handler, enterprise_user=enterprise_user, category=category)
    make.dispatched(
        dispatcher=dispatcher, unit=other_unit, enterprise_user=enterprise_user, category=category
    )
    return handler


@pytest.mark.parametrize("size", [1, 2, 5, 25])
def test_each_page_of_the_written_out_inbox_equals_the_orm_worklist(busy_unit, size):
    now = clock.now()
    counts = worklists.unit_counts(busy_unit, now=now)
    inbox = worklists.UnitInbox(busy_unit, total=counts["all"])
    expected = worklists.rows_of(worklists.unit_worklist(busy_unit, show="all", now=now))

    pages = [inbox[start : start + size] for start in range(0, len(inbox), size)]

    assert [row for page in pages for row in page] == expected
    assert len(expected) == counts["all"] == 6


def test_the_inbox_counts_equal_the_rows_of_each_filter(busy_unit):
    now = clock.now()
    counts = worklists.unit_counts(busy_unit, now=now)

    for key in ("to_sign", "handling", "due_today", "overdue"):
        rows = worklists.unit_worklist(busy_unit, show=key, now=now)
        assert counts[key] == rows.count(), key
    assert (counts["to_sign"], counts["handling"]) == (5, 1)


def test_someone_outside_the_units_has_an_empty_inbox_and_zero_counts(dispatcher):
    assert worklists.UnitInbox(dispatcher, total=0)[0:25] == []
    assert set(worklists.unit_counts(dispatcher, now=clock.now()).values()) == {0}
