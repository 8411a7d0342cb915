"""/api/: the versioned REST API (/api/v1/…) and its schema (/api/schema/, /api/docs/).

Each app publishes its own routes in ``services/<app>/api_urls.py``; this file only mounts them, plus the
token endpoint that every app's clients share.
"""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from services.core.api import ObtainTokenView, not_found

v1 = [
    path("auth/token/", ObtainTokenView.as_view(), name="auth-token"),
    path("", include("services.accounts.api_urls")),
    path("", include("services.issues.api_urls")),
    path("", include("services.visits.api_urls")),
    path("", include("services.enterprises.api_urls")),
    path("", include("services.departments.api_urls")),
    path("", include("services.notifications.api_urls")),
    path("", include("services.workcalendar.api_urls")),
    path("", include("services.reports.api_urls")),
]

urlpatterns = [
    path("v1/", include(v1)),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    # Anything else under /api/ (an unknown path, a non-numeric id) is a 404 in the one error shape.
    re_path(r"^", not_found),
]
