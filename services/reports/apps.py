from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "services.reports"
    label = "reports"
    verbose_name = _("统计与目标")

    def ready(self) -> None:
        # The open period's roll-ups follow every issue event and every change of the working calendar.
        from services.issues.actions import on_event_recorded
        from services.reports import rollups
        from services.workcalendar.actions import on_calendar_change

        on_event_recorded(rollups.event_recorded)
        on_calendar_change(rollups.calendar_changed)
