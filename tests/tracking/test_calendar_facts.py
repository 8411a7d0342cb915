"""The holiday dates the tracking tests are built on, as the State Council declared them.

2025 National Day and Mid-autumn: 1–8 October off, Sunday 28 September and Saturday 11 October worked.
2026 Spring Festival: 15–23 February off, Saturday 14 and Saturday 28 February worked.
"""

import datetime as dt

import pytest

from services.workcalendar.calendar import is_working_day

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (dt.date(2025, 9, 26), True),  # Friday
        (dt.date(2025, 9, 27), False),  # Saturday
        (dt.date(2025, 9, 28), True),  # Sunday, make-up day
        (dt.date(2025, 9, 30), True),
        *[(dt.date(2025, 10, day), False) for day in range(1, 9)],
        (dt.date(2025, 10, 9), True),
        (dt.date(2025, 10, 10), True),
        (dt.date(2025, 10, 11), True),  # Saturday, make-up day
        (dt.date(2025, 10, 12), False),
        (dt.date(2025, 10, 13), True),
        (dt.date(2026, 2, 13), True),  # Friday
        (dt.date(2026, 2, 14), True),  # Saturday, make-up day
        *[(dt.date(2026, 2, day), False) for day in range(15, 24)],
        (dt.date(2026, 2, 24), True),
        (dt.date(2026, 2, 27), True),
        (dt.date(2026, 2, 28), True),  # Saturday, make-up day
        (dt.date(2026, 3, 1), False),
        (dt.date(2026, 3, 2), True),
    ],
    ids=str,
)
def test_the_calendar_knows_the_holidays_and_make_up_days_these_tests_use(day, working):
    assert is_working_day(day) is working
