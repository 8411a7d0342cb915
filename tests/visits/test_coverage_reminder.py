"""Two weeks (10 working days) before a quarter ends, each specialist with enterprises not yet visited on site
gets one reminder listing them: once per quarter, in working hours, never on a holiday."""

import datetime as dt

import pytest

from services.core import clock
from services.notifications.models import Notification
from services.visits.models import CoverageReminder, Method
from services.visits.reminders import send_coverage_reminders
from services.visits.tasks import send_coverage_reminders_task
from tests.factories import AssignmentFactory, EnterpriseFactory, SpecialistFactory, VisitFactory
from tests.issues.state import shanghai

pytestmark = pytest.mark.django_db

# 2026 Q4 ends on Thursday 31 December. Its last 10 working days are 18–31 December (Mon–Fri, no holiday):
# the window opens on Friday 18 December.
WINDOW_OPENS = shanghai(2026, 12, 18, 10)
DAY_BEFORE = shanghai(2026, 12, 17, 10)


@pytest.fixture
def zhang(db):
    specialist = SpecialistFactory(display_name="张建国")
    for name in ("重庆甲机械有限公司", "重庆乙化工有限公司"):
        AssignmentFactory(specialist=specialist, enterprise=EnterpriseFactory(name=name))
    return specialist


def remind(at):
    with clock.travel_to(at):
        return send_coverage_reminders()


def reminders(user):
    return list(Notification.objects.filter(recipient=user, kind="coverage_reminder"))


def test_a_specialist_with_enterprises_left_gets_one_reminder_listing_them(zhang):
    sent = remind(WINDOW_OPENS)

    (message,) = reminders(zhang)
    assert (sent.specialists, sent.enterprises) == (1, 2)
    assert "2家" in message.title
    assert "· 重庆甲机械有限公司" in message.body and "· 重庆乙化工有限公司" in message.body
    assert message.url == "/specialist/coverage/"


def test_the_reminder_does_not_go_out_earlier_than_ten_working_days_before_the_end(zhang):
    assert remind(DAY_BEFORE).specialists == 0
    assert reminders(zhang) == []


def test_the_reminder_is_sent_once_per_quarter_however_often_the_sweep_runs(zhang):
    remind(WINDOW_OPENS)
    remind(WINDOW_OPENS + dt.timedelta(hours=1))
    remind(shanghai(2026, 12, 28, 9, 30))

    assert len(reminders(zhang)) == 1
    assert CoverageReminder.objects.filter(specialist=zhang, year=2026, quarter=4).count() == 1


def test_a_reminder_row_already_there_means_no_second_message(zhang):
    CoverageReminder.objects.create(specialist=zhang, year=2026, quarter=4, enterprises=2, sent_at=DAY_BEFORE)

    remind(WINDOW_OPENS)

    assert reminders(zhang) == []


def test_the_next_quarter_gets_its_own_reminder(zhang):
    remind(WINDOW_OPENS)
    # 2027 is not in the State Council package: Monday to Friday. Q1 2027 ends Wednesday 31 March.
    remind(shanghai(2027, 3, 25, 10))

    assert len(reminders(zhang)) == 2


def test_a_specialist_who_has_visited_every_enterprise_on_site_is_not_reminded(zhang):
    for assignment in zhang.assignments.all():
        VisitFactory(enterprise=assignment.enterprise, specialist=zhang, visited_at=shanghai(2026, 11, 3))

    remind(WINDOW_OPENS)

    assert reminders(zhang) == []


def test_only_the_enterprises_not_visited_on_site_are_listed(zhang):
    first, second = (a.enterprise for a in zhang.assignments.order_by("enterprise__name"))
    VisitFactory(enterprise=first, specialist=zhang, visited_at=shanghai(2026, 11, 3))
    VisitFactory(enterprise=second, specialist=zhang, visited_at=shanghai(2026, 11, 3), method=Method.PHONE)

    remind(WINDOW_OPENS)

    (message,) = reminders(zhang)
    assert first.name not in message.body
    assert second.name in message.body


def test_no_reminder_outside_working_hours(zhang):
    remind(shanghai(2026, 12, 18, 7, 30))
    remind(shanghai(2026, 12, 18, 19, 0))

    assert reminders(zhang) == []


def test_no_reminder_on_a_weekend(zhang):
    remind(shanghai(2026, 12, 19, 10))  # Saturday

    assert reminders(zhang) == []


def test_no_reminder_on_a_public_holiday_even_inside_the_window(zhang):
    # 2026 Q3 ends Wednesday 30 September; its last 10 working days run from Thursday 17 September and
    # include Sunday 20 September, a make-up working day. Friday 25 September is the Mid-autumn Festival.
    remind(shanghai(2026, 9, 25, 10))

    assert reminders(zhang) == []


def test_the_reminder_respects_a_make_up_working_day_in_the_window(zhang):
    sent = remind(shanghai(2026, 9, 20, 10))  # Sunday, a working day by the State Council's notice

    assert sent.specialists == 1


def test_the_beat_task_runs_the_sweep_and_reports_how_many_were_reminded(zhang):
    with clock.travel_to(WINDOW_OPENS):
        assert send_coverage_reminders_task.delay().get() == 1
