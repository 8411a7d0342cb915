from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "services.reports"
    label = "reports"
    verbose_name = _("统计与目标")

    def ready(self) -> None:
        # The open period's roll-ups follow every issue event, visit, enterprise edit and calendar change.
        from django.db.models.signals import post_save, pre_save

        from services.enterprises.models import Enterprise
        from services.issues.actions import on_event_recorded
        from services.reports import rollups
        from services.visits.actions import on_visit_logged
        from services.workcalendar.actions import on_calendar_change

        on_event_recorded(rollups.event_recorded)
        on_calendar_change(rollups.calendar_changed)
        on_visit_logged(rollups.visit_logged)
        # Enterprises are edited in the admin (and by the reference loaders) without an action of their own:
        # the model's signals are the one place every such edit passes, as for the audit log.
        pre_save.connect(rollups.enterprise_saving, sender=Enterprise, dispatch_uid="rollups-enterprise-pre")
        post_save.connect(rollups.enterprise_saved, sender=Enterprise, dispatch_uid="rollups-enterprise-post")
