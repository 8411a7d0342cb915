"""/api/v1/reports/summary/ (the figures of DESIGN §6 for a year) and /api/v1/targets/ (annual targets)."""

from django.urls import path, re_path

from services.reports import api

urlpatterns = [
    path("reports/summary/", api.ReportSummaryView.as_view(), name="api-report-summary"),
    path("targets/", api.TargetListView.as_view(), name="api-target-list"),
    # Any integer, negative too, so that an id that cannot exist is the API's JSON 404, not a bare page.
    re_path(r"^targets/(?P<pk>-?[0-9]+)/$", api.TargetDetailView.as_view(), name="api-target-detail"),
]
