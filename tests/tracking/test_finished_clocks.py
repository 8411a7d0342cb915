"""A clock that is met or stopped raises nothing; an approved extension moves its alerts to the new due
time (DESIGN §3: never silently rewritten, the extension is an event and earns its own alerts)."""

import datetime as dt

import pytest

from services.core import clock
from services.issues import actions
from services.issues.models import AlertKind, Stage, StageClock
from services.issues.tracking import sweep_clocks
from tests.issues.state import end_of, shanghai
from tests.tracking.timeline import alerts_of, events_of, sweep_every

pytestmark = pytest.mark.django_db

MONDAY = shanghai(2026, 3, 2, 10)


def test_a_clock_met_in_time_raises_nothing(build, handler):
    # Dispatched on Monday 2 March 2026: signed for by the end of Tuesday, or else escalated.
    with clock.travel_to(MONDAY):
        issue = build.dispatched()
    sign = StageClock.objects.get(issue=issue, stage=Stage.SIGN)
    with clock.travel_to(MONDAY + dt.timedelta(hours=1)):
        actions.acknowledge_issue(issue=issue, actor=handler)

    sweep_clocks(now=shanghai(2026, 3, 6, 12))

    assert (alerts_of(sign), events_of(sign)) == ([], [])


def test_the_clocks_a_transfer_stopped_raise_nothing(build, dispatcher, other_unit):
    with clock.travel_to(MONDAY):
        issue = build.dispatched()
    with clock.travel_to(MONDAY + dt.timedelta(hours=1)):
        actions.transfer_issue(issue=issue, actor=dispatcher, lead_unit=other_unit, note="属规划部门职责")
    stopped = list(StageClock.objects.filter(issue=issue, stopped_at__isnull=False))

    sweep_clocks(now=shanghai(2026, 3, 20, 12))

    assert [alerts_of(each) for each in stopped] == [[], [], []]


@pytest.fixture
def extended_answer(build, handler, dispatcher):
    """Answer due Monday 9 March 2026, extended on the 3rd by three working days to Thursday 12 March."""
    with clock.travel_to(MONDAY):
        issue = build.handling()
    answer = StageClock.objects.get(issue=issue, stage=Stage.ANSWER)
    assert answer.due_at == end_of(2026, 3, 9)
    with clock.travel_to(shanghai(2026, 3, 3, 10)):
        actions.request_extension(
            issue=issue, actor=handler, working_days=3, reason="需协调供电公司现场勘察。"
        )
        actions.decide_extension(issue=issue, actor=dispatcher, approve=True)
    answer.refresh_from_db()
    assert answer.due_at == end_of(2026, 3, 12)
    return answer


def test_after_an_approved_extension_the_old_due_time_raises_nothing(extended_answer):
    # The old schedule: reminded at 09:00 on the 9th, escalated at midnight.
    sweep_clocks(now=shanghai(2026, 3, 9, 9, 0))
    sweep_clocks(now=shanghai(2026, 3, 10, 0, 0))

    assert alerts_of(extended_answer) == []


def test_an_approved_extension_reminds_and_escalates_for_the_new_due_time(extended_answer):
    sweep_every(dt.timedelta(minutes=30), start=shanghai(2026, 3, 3, 11), end=shanghai(2026, 3, 13, 1))

    # 80% of the new time falls at 21:11 on the 10th, so 09:00 on the 11th; then the last day, then midnight.
    assert alerts_of(extended_answer) == [
        (AlertKind.REMIND, shanghai(2026, 3, 11, 9, 0)),
        (AlertKind.REMIND_LAST_DAY, shanghai(2026, 3, 12, 9, 0)),
        (AlertKind.ESCALATE, end_of(2026, 3, 12)),
    ]


def test_the_alerts_after_an_extension_are_tied_to_the_new_due_time(extended_answer):
    sweep_clocks(now=shanghai(2026, 3, 13, 0, 0))

    assert [event.data["due_at"] for event in events_of(extended_answer)] == ["2026-03-12T23:59:59+08:00"]
