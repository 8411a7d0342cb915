from django.urls import path

from services.web import ops
from services.web.views import common as views
from services.web.views import issues, reports, specialist

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("issues/new/", issues.file_issue_page, name="issue-file"),
    path("issues/<int:pk>/", issues.issue_detail, name="issue-detail"),
    path("issues/<int:pk>/do/<slug:slug>/", issues.issue_move, name="issue-move"),
    path("issues/<int:pk>/attachments/", issues.issue_attach, name="issue-attach"),
    path("coverage/", views.coverage_view, name="coverage"),
    path("notifications/", views.notifications_view, name="notifications"),
    path("notifications/<int:pk>/open/", views.notification_open, name="notification-open"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications-read-all"),
    path("ops/", ops.ops_view, name="ops"),
    path("reports/", reports.dashboard, name="reports"),
    path("reports/list/<slug:part>/", reports.drilldown, name="reports-drilldown"),
    path("reports/targets/", reports.targets, name="reports-targets"),
    path("reports/close/", reports.close, name="reports-close"),
    path("reports/recompute/", reports.recompute, name="reports-recompute"),
    path("reports/export/", reports.export, name="reports-export"),
    path("reports/exports/<int:pk>/", reports.export_status, name="reports-export-status"),
    path("reports/exports/<int:pk>/download/", reports.export_download, name="reports-export-download"),
    path("reports/year-review/", reports.year_review, name="reports-year-review"),
    path("healthz", views.healthz, name="healthz"),
    path("specialist/", specialist.my_enterprises, name="specialist-enterprises"),
    path("specialist/visits/new/", specialist.log_visit_page, name="specialist-log-visit"),
    path("specialist/visits/<int:pk>/", specialist.visit_detail, name="specialist-visit"),
    path(
        "specialist/enterprises/<int:enterprise_id>/file/", specialist.file_on_behalf, name="specialist-file"
    ),
    path("specialist/coverage/", specialist.coverage_page, name="specialist-coverage"),
    path("sw.js", specialist.service_worker, name="service-worker"),
    path("manifest.webmanifest", specialist.manifest, name="manifest"),
]
