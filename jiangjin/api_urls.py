"""/api/: the versioned REST API (/api/v1/…), its schema (/api/schema/) and docs (/api/docs/, /api/redoc/).

Each app publishes its own routes in ``services/<app>/api_urls.py``; this file only mounts them, plus the
token endpoint that every app's clients share.
"""

from django.urls import include, path, re_path

from services.accounts.api import TokensView, TokenView
from services.core.api import not_found
from services.core.security import RedocView, SchemaView, SwaggerView

v1 = [
    path("auth/token/", TokenView.as_view(), name="auth-token"),
    path("auth/tokens/", TokensView.as_view(), name="auth-tokens"),
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
    path("schema/", SchemaView.as_view(), name="api-schema"),
    path("docs/", SwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", RedocView.as_view(url_name="api-schema"), name="api-redoc"),
    # Anything else under /api/ (an unknown path, a non-numeric id) is a 404 in the one error shape.
    re_path(r"^", not_found),
]
