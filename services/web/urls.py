from django.urls import path

from services.web import ops
from services.web.views import common as views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("issues/<int:pk>/", views.issue_detail, name="issue-detail"),
    path("coverage/", views.coverage_view, name="coverage"),
    path("notifications/", views.notifications_view, name="notifications"),
    path("ops/", ops.ops_view, name="ops"),
    path("healthz", views.healthz, name="healthz"),
]
