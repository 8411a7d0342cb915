from django.contrib import admin

from services.workcalendar.models import CalendarOverride, CalendarYear


def test_both_calendar_models_are_registered_in_the_admin_without_configuration_errors():
    for model in (CalendarYear, CalendarOverride):
        model_admin = admin.site._registry[model]
        assert model_admin.check() == []
