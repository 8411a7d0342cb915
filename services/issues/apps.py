from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IssuesConfig(AppConfig):
    name = "services.issues"
    label = "issues"
    verbose_name = _("诉求办理")

    def ready(self) -> None:
        # Running deadlines move, each by an event, when an administrator edits the calendar (DESIGN §3).
        from services.issues.tracking import recount_running_clocks
        from services.workcalendar.actions import on_calendar_change

        on_calendar_change(recount_running_clocks)
