from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IssuesConfig(AppConfig):
    name = "services.issues"
    label = "issues"
    verbose_name = _("诉求办理")
