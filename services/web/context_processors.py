"""Template context every page may need."""

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, object]:
    """``DEMO_MODE``: the login page lists the demo logins only on a demo installation."""
    return {"DEMO_MODE": bool(getattr(settings, "DEMO_MODE", False))}
