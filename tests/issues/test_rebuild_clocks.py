"""Every clock can be rebuilt from the events (issue #11, item 12): the events that start or move a clock
carry the limit in force and the due time they set, and ``rebuild_clocks --check`` finds no difference."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from services.core import clock
from services.issues import actions
from services.issues.clock_history import check
from services.issues.models import IssuePolicy, Stage, StageClock
from tests.issues.state import shanghai

pytestmark = pytest.mark.django_db


def test_the_dispatch_event_carries_each_clocks_limit_and_due_time(build, unit):
    with clock.travel_to(shanghai(2026, 3, 2, 10)):
        issue = build.dispatched()

    sign = StageClock.objects.get(issue=issue, stage=Stage.SIGN)
    entries = issue.events.get(kind="dispatch").data["clocks"]
    assert {
        "clock": sign.pk,
        "stage": "sign",
        "unit_id": unit.pk,
        "limit": 1,
        "limit_unit": "working_days",
        "due_at": "2026-03-03T23:59:59+08:00",
        "fallback": False,
    } in entries


def test_a_change_of_settings_does_not_make_earlier_clocks_unrebuildable(build, handler, dispatcher):
    with clock.travel_to(shanghai(2026, 3, 2, 10)):
        issue = build.handling()
    IssuePolicy.objects.filter(pk=1).update(sign_days=2, answer_days_normal=7)
    with clock.travel_to(shanghai(2026, 3, 3, 10)):
        actions.request_extension(issue=issue, actor=handler, working_days=3, reason="需会商，申请延期。")
        actions.decide_extension(issue=issue, actor=dispatcher, approve=True)

    report = check()

    assert (report.differences, report.not_in_history) == ([], 0)


def test_the_check_reports_a_clock_rewritten_behind_the_historys_back(build):
    with clock.travel_to(shanghai(2026, 3, 2, 10)):
        issue = build.dispatched()
    StageClock.objects.filter(issue=issue, stage=Stage.SIGN).update(due_at=shanghai(2026, 3, 5, 23, 59, 59))

    with pytest.raises(CommandError, match="1 clock fields differ"):
        call_command("rebuild_clocks", "--check", stdout=StringIO())


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), override_settings(DEMO_MODE=True):
        call_command("load_reference", verbosity=0)
        call_command("build_demo", verbosity=0, stdout=StringIO())
        yield
        call_command("flush", interactive=False, verbosity=0)


def test_every_clock_of_the_demo_district_rebuilds_from_its_events(demo):
    out = StringIO()

    call_command("rebuild_clocks", "--check", stdout=out)

    assert ", 0 differences, 0 not in the history" in out.getvalue()
