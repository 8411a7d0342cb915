"""The sweep's work grows with what is due, not with what is open (issue 3): it reads only the clocks whose
next alert has come, through the partial index on ``next_alert_at``, and writes their alerts in bulk.

Measured on PostgreSQL (notifications go out after the commit, in the worker, and are not counted here):
- nothing due among 20 or 200 open clocks: 4 queries (the policy, the savepoint, the select, its release);
- 10 / 40 overdue clocks started on 10 / 40 different days, so that each brings dates of its own to look up
  in the work calendar: 30 / 86 queries, 1.9 more per clock;
- 10 / 40 overdue clocks due on the same day: 13 / 13 queries — the calendar is asked once per date.
"""

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from services.issues.models import IssuePolicy
from services.issues.tracking import sweep_clocks
from tests.issues.state import shanghai

pytestmark = pytest.mark.django_db

NOT_DUE_YET = shanghai(2026, 3, 2, 10)  # five working days: nothing before the 80% reminder on 6 March
SWEEP = shanghai(2026, 2, 2, 10)
EARLIER = shanghai(2025, 11, 3, 10)  # clocks started from here are past both escalation levels at SWEEP


def queries_of_a_sweep() -> int:
    """How many queries one sweep at SWEEP takes; what it wrote is rolled back, so it can be asked again."""
    IssuePolicy.current()
    with transaction.atomic():
        with CaptureQueriesContext(connection) as queries:
            result = sweep_clocks(now=SWEEP)
        assert result.clocks > 0
        transaction.set_rollback(True)
    return len(queries)


@pytest.mark.parametrize("open_count", [20, 200])
def test_a_sweep_with_nothing_due_takes_four_queries_however_many_clocks_are_open(
    open_clocks, open_count, django_assert_max_num_queries
):
    open_clocks(open_count, start=NOT_DUE_YET)
    IssuePolicy.current()

    with django_assert_max_num_queries(4):
        result = sweep_clocks(now=SWEEP)

    assert result.clocks == 0


def test_each_further_due_clock_adds_at_most_two_queries(open_clocks):
    # The worst case: every clock started on a day of its own, so its dates are new to the calendar lookups.
    open_clocks(200, start=NOT_DUE_YET)
    for day in range(10):
        open_clocks(1, start=EARLIER + dt.timedelta(days=day))
    with_ten = queries_of_a_sweep()
    for day in range(10, 40):
        open_clocks(1, start=EARLIER + dt.timedelta(days=day))

    with_forty = queries_of_a_sweep()

    assert with_forty - with_ten <= 2 * 30


def test_clocks_due_on_the_same_day_cost_no_further_queries_each(open_clocks):
    open_clocks(200, start=NOT_DUE_YET)
    open_clocks(10, start=EARLIER)
    with_ten = queries_of_a_sweep()
    open_clocks(30, start=EARLIER)

    with_forty = queries_of_a_sweep()

    assert with_forty == with_ten
