"""The demo district reproduces the 2023 report and gives every role work today."""

import datetime as dt
from collections import Counter
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from services.accounts.models import Role, User
from services.demo.problems import PROBLEMS
from services.enterprises.models import Enterprise, SpecialistAssignment
from services.enterprises.uscc import is_valid_uscc
from services.issues.lifecycle import OPEN_STATUSES, Status
from services.issues.models import Issue, StageClock
from services.issues.selectors import unit_inbox
from services.reports.figures import compute
from services.visits.coverage import Period, coverage

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), override_settings(DEMO_MODE=True):
        call_command("load_reference", verbosity=0)
        call_command("build_demo", verbosity=0, stdout=StringIO())
        yield
        call_command("flush", interactive=False, verbosity=0)


def test_the_demo_has_the_reports_223_specialists(demo):
    assert User.objects.filter(role=Role.SPECIALIST).count() == 223


def test_the_demo_has_559_above_scale_enterprises_all_with_valid_codes(demo):
    codes = list(Enterprise.objects.filter(is_above_scale=True).values_list("uscc", flat=True))
    assert len(codes) == 559
    assert all(is_valid_uscc(code) for code in codes)


def test_every_enterprise_has_exactly_one_current_specialist(demo):
    assert SpecialistAssignment.objects.filter(ended_on__isnull=True).count() == 559
    assert Enterprise.objects.filter(assignments__ended_on__isnull=True).distinct().count() == 559


def test_every_enterprise_was_visited_on_site_in_2023(demo):
    assert coverage(Period.year(2023)).visited == 559
    assert all(coverage(Period.quarter(2023, q)).rate == 1 for q in (1, 2, 3, 4))


def test_more_than_250_issues_were_filed_in_2023_and_every_one_is_closed(demo):
    issues_2023 = Issue.objects.filter(created_at__year=2023)
    assert issues_2023.count() > 250
    assert not issues_2023.exclude(status=Status.CLOSED).exists()


def test_the_reports_sentence_comes_out_of_the_data(demo):
    assert (
        compute(2023).sentence()
        == "223名专员对559家规上工业企业进行实地走访，平台录入问题超过250件，办结率100%"
    )


def test_open_issues_exist_in_every_open_stage(demo):
    present = set(Issue.objects.filter(status__in=OPEN_STATUSES).values_list("status", flat=True).distinct())
    assert present == set(OPEN_STATUSES)


def test_some_open_clocks_are_overdue_and_some_are_due_soon(demo):
    now = timezone.now()
    running = StageClock.objects.filter(met_at__isnull=True, stopped_at__isnull=True)
    assert running.filter(due_at__lt=now).exists()
    assert running.filter(due_at__gte=now, due_at__lte=now + dt.timedelta(days=7)).exists()


@pytest.mark.parametrize("username", ["enterprise", "specialist", "unit", "dispatcher", "leader", "admin"])
def test_each_demo_login_works_with_the_demo_password(demo, username):
    assert authenticate(username=username, password="jiangjin-demo") is not None


def test_other_demo_users_cannot_log_in(demo):
    assert not User.objects.get(username="qy0001").has_usable_password()


def test_the_unit_login_has_work_waiting(demo):
    assert unit_inbox(User.objects.get(username="unit")).count() >= 5


def test_the_demo_units_open_inbox_repeats_no_title_more_than_twice(demo):
    titles = Counter(unit_inbox(User.objects.get(username="unit")).values_list("title", flat=True))

    assert max(titles.values()) <= 2, titles.most_common(3)


def test_every_problem_reads_like_its_own_category(demo):
    mismatched = [
        (code, title)
        for code, title in Issue.objects.values_list("category__code", "title")
        if title not in {own for own, _description in PROBLEMS[code]}
    ]

    assert mismatched == []


def test_building_again_changes_nothing(demo):
    before = (Enterprise.objects.count(), Issue.objects.count(), User.objects.count())
    with override_settings(DEMO_MODE=True):
        call_command("build_demo", verbosity=0, stdout=StringIO())
    assert (Enterprise.objects.count(), Issue.objects.count(), User.objects.count()) == before
