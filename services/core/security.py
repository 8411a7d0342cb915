"""Response headers that every page carries, and the API's documentation pages.

The Content-Security-Policy (django-csp, ``CONTENT_SECURITY_POLICY`` in settings) allows scripts and styles
from this origin only: no inline script anywhere, nothing from another origin. Two kinds of page need an
allowance, granted here by path and nowhere else:

- the Django admin writes a few inline ``<style>`` blocks (e.g. the change list with filters);
- Swagger UI and Redoc (shipped by drf-spectacular-sidecar, served from our static files) set inline styles
  and Redoc starts a web worker from a ``blob:`` URL.

Neither gets inline *script*: Swagger UI's start-up script is served as a file (drf-spectacular's split view).
"""

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework import exceptions, permissions

ADMIN_PREFIX = "/admin/"
DOCS_PREFIXES = ("/api/docs/", "/api/redoc/")


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def process_response(self, request, response):
        path = request.path_info
        if path.startswith(ADMIN_PREFIX):
            response._csp_update = {"style-src": ["'unsafe-inline'"]}
        elif path.startswith(DOCS_PREFIXES):
            response._csp_update = {"style-src": ["'unsafe-inline'"], "worker-src": ["blob:"]}
        return super().process_response(request, response)


class _DocsAccess:
    """The schema and its documentation pages are public unless ``JIANGJIN_API_DOCS_PUBLIC`` is off (the
    production default): then they need a signed-in, active user (session or token)."""

    def get_permissions(self):
        if settings.JIANGJIN_API_DOCS_PUBLIC:
            return [permissions.AllowAny()]
        return [permissions.IsAuthenticated()]


class SchemaView(_DocsAccess, SpectacularAPIView):
    pass


class _DocsPage(_DocsAccess):
    """A page for people: without a login it sends them to the login page rather than answering 401."""

    def handle_exception(self, exc):
        if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
            return redirect_to_login(self.request.get_full_path())
        return super().handle_exception(exc)


class SwaggerView(_DocsPage, SpectacularSwaggerSplitView):
    """Swagger UI from drf-spectacular-sidecar; its start-up script comes from this view as a file."""

    template_name = "core/swagger_ui.html"


class RedocView(_DocsPage, SpectacularRedocView):
    template_name = "core/redoc.html"
