import pytest
from django.contrib import admin

from services.workcalendar.models import CalendarOverride, CalendarYear
from tests.issues.conftest import build

__all__ = ["build"]


def test_both_calendar_models_are_registered_in_the_admin_without_configuration_errors():
    for model in (CalendarYear, CalendarOverride):
        model_admin = admin.site._registry[model]
        assert model_admin.check() == []


@pytest.mark.django_db
def test_an_override_saved_in_the_admin_goes_through_the_calendar_actions_and_moves_running_clocks(
    administrator, rf, build
):
    import datetime as dt

    from services.core import clock
    from services.issues.models import IssueEvent, Stage
    from tests.issues.state import end_of, running_clock, shanghai

    with clock.travel_to(shanghai(2026, 12, 28, 10)):
        issue = build.dispatched()
    request = rf.post("/admin/")
    request.user = administrator
    override = CalendarOverride(date=dt.date(2027, 1, 1), kind="holiday", name="元旦")

    with clock.travel_to(shanghai(2026, 12, 29, 9)):
        admin.site._registry[CalendarOverride].save_model(request, override, form=None, change=False)

    assert running_clock(issue, Stage.ANSWER, issue.lead_unit).due_at == end_of(2027, 1, 5)
    assert (
        IssueEvent.objects.filter(issue=issue, kind="calendar_correction", actor=administrator).count() == 1
    )
